/**
 * Copyable link text in the user's chosen format. Pure, so the tray (main) and the library view
 * (renderer) produce exactly the same text.
 */

/** How a copied link is written. */
export type LinkFormat = 'url' | 'markdown' | 'html' | 'bbcode';

/**
 * Every link format with its name, in the order pickers list them. The queue's after-upload
 * copy, the Library's "Copy as" and Settings' link format all list these, so a format added here
 * shows up in each of them.
 */
export const LINK_FORMATS: readonly { readonly id: LinkFormat; readonly label: string }[] = [
  { id: 'url', label: 'URL' },
  { id: 'markdown', label: 'Markdown' },
  { id: 'html', label: 'HTML' },
  { id: 'bbcode', label: 'BBCode' },
];

/** Escapes text for HTML element content and double- or single-quoted attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Escapes Markdown link text. Only the characters that can end the text, start emphasis, code,
 * HTML, entities or GFM tables/strikethrough are escaped, so "photo.jpg" stays readable where
 * the paste is not rendered.
 */
function escapeMarkdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`);
}

/** Makes a URL safe as a Markdown link destination: whitespace, parentheses and angle brackets percent-encoded. */
function escapeMarkdownUrl(url: string): string {
  return url.replace(/[\s()<>]/gu, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c);
  });
}

/** BBCode has no escaping: brackets in the text become parentheses so they cannot close a tag. */
function bbcodeText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\[/g, '(').replace(/]/g, ')');
}

/** …and a URL's brackets and whitespace are percent-encoded (the same address). */
function bbcodeUrl(url: string): string {
  return url.replace(/[\s[\]]/gu, (c) => encodeURIComponent(c));
}

/**
 * The text copied for an upload: the bare URL, a Markdown link, an HTML anchor or BBCode. With
 * `image` the link embeds the picture instead (`![name](url)`, `<img>`, `[img]`), which is what
 * pasting a screenshot's link into a README, a page or a forum wants.
 */
export function formatLink(url: string, name: string, format: LinkFormat, opts: { image?: boolean } = {}): string {
  const image = opts.image === true;
  switch (format) {
    case 'url':
      return url;
    case 'markdown':
      return `${image ? '!' : ''}[${escapeMarkdownText(name)}](${escapeMarkdownUrl(url)})`;
    case 'html':
      return image ? `<img src="${escapeHtml(url)}" alt="${escapeHtml(name)}">` : `<a href="${escapeHtml(url)}">${escapeHtml(name)}</a>`;
    case 'bbcode':
      return image ? `[img]${bbcodeUrl(url)}[/img]` : `[url=${bbcodeUrl(url)}]${bbcodeText(name)}[/url]`;
  }
}
