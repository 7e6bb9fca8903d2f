/**
 * Copyable link text in the user's chosen format. Pure, so the tray (main) and the library view
 * (renderer) produce exactly the same text.
 */

/** How a copied link is written. */
export type LinkFormat = 'url' | 'markdown' | 'html';

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

/** The text copied for an upload: the bare URL, a Markdown link or an HTML anchor. */
export function formatLink(url: string, name: string, format: LinkFormat): string {
  switch (format) {
    case 'url':
      return url;
    case 'markdown':
      return `[${escapeMarkdownText(name)}](${escapeMarkdownUrl(url)})`;
    case 'html':
      return `<a href="${escapeHtml(url)}">${escapeHtml(name)}</a>`;
  }
}
