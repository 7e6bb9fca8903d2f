import { describe, expect, it } from 'vitest';
import {
  buildTrayMenu,
  formatLink,
  MAX_RECENT,
  overallPercent,
  trayTooltip,
  type TrayItem,
  type TrayState,
} from '../../src-main/hosts/tray-model.js';

const base: TrayState = {
  activeJobs: 0,
  pausedJobs: 0,
  speedBps: 0,
  totalBytes: 0,
  sentBytes: 0,
  paused: false,
  recent: [],
  defaultDestination: 'local',
  destinations: ['local', 'filestack', 'imagekit'],
  linkFormat: 'url',
  watching: false,
};
const busy: TrayState = { ...base, activeJobs: 3, totalBytes: 1000, sentBytes: 420 };
const paused: TrayState = { ...busy, activeJobs: 0, pausedJobs: 3, paused: true };

/** A compact outline of the menu: ids, with disabled items marked `!` and checked ones `*`. */
function outline(items: readonly TrayItem[]): string[] {
  return items.map((i) => {
    if (i.type === 'separator') return '---';
    if (i.type === 'submenu') return `${i.id}${i.enabled ? '' : '!'}[${outline(i.items).join(',')}]`;
    const checked = i.type === 'radio' || i.type === 'checkbox' ? (i.checked ? '*' : '') : '';
    return `${i.id}${i.enabled ? '' : '!'}${checked}`;
  });
}

function find(items: readonly TrayItem[], id: string): TrayItem | undefined {
  for (const i of items) {
    if (i.id === id) return i;
    if (i.type === 'submenu') {
      const inner = find(i.items, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

const tail = [
  '---',
  'destination[destination:local*,destination:filestack,destination:imagekit]',
  'link-format[link-format:url*,link-format:markdown,link-format:html,link-format:bbcode]',
  'watching',
  '---',
  'quit',
];

describe('buildTrayMenu', () => {
  it.each([
    ['idle', base, 'pause-all!'],
    ['busy', busy, 'pause-all'],
    ['paused', paused, 'resume-all'],
    ['paused with nothing left', { ...base, paused: true }, 'resume-all'],
  ] as const)('%s', (_name, state, queueItem) => {
    expect(outline(buildTrayMenu(state))).toEqual([
      'open',
      'upload-files',
      'upload-clipboard',
      'recent![recent:none!]',
      '---',
      queueItem,
      ...tail,
    ]);
  });

  it('labels the fixed items as the issue asks', () => {
    const labels = buildTrayMenu(base).flatMap((i) => (i.type === 'separator' ? [] : [i.label]));
    expect(labels).toEqual([
      'Open Ferry',
      'Upload file(s)…',
      'Upload from clipboard',
      'Recent uploads',
      'Pause all',
      'Default destination',
      'Link format',
      'Watch folders',
      'Quit Ferry',
    ]);
  });

  it('lists at most 5 recent uploads, newest first, each copying its link in the chosen format', () => {
    const recent = Array.from({ length: 8 }, (_, n) => ({ id: `j${n}`, name: `file ${n}.png`, url: `https://cdn.example/${n}` }));
    const menu = buildTrayMenu({ ...base, recent, linkFormat: 'markdown' });
    const sub = find(menu, 'recent');
    expect(sub?.type === 'submenu' && sub.enabled).toBe(true);
    const items = sub?.type === 'submenu' ? sub.items : [];
    expect(MAX_RECENT).toBe(5);
    expect(items.map((i) => i.id)).toEqual(['recent:j0', 'recent:j1', 'recent:j2', 'recent:j3', 'recent:j4']);
    expect(items[0]).toMatchObject({
      type: 'normal',
      label: 'file 0.png',
      action: { type: 'copy-link', uploadId: 'j0', text: '[file 0.png](https://cdn.example/0)' },
    });
  });

  it('shortens long names by code point and doubles & for Electron', () => {
    const name = `${'😀'.repeat(60)}.png`;
    const menu = buildTrayMenu({ ...base, recent: [{ id: 'a', name, url: 'u' }, { id: 'b', name: 'R&D.pdf', url: 'u' }] });
    const a = find(menu, 'recent:a');
    const b = find(menu, 'recent:b');
    const labelA = a && a.type !== 'separator' ? a.label : '';
    expect(Array.from(labelA)).toHaveLength(48);
    expect(labelA.endsWith('…')).toBe(true);
    expect(labelA).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
    expect(b && b.type !== 'separator' ? b.label : '').toBe('R&&D.pdf');
  });

  it.each([
    ['filestack', 'url', false],
    ['imagekit', 'html', true],
  ] as const)('checks the radio of destination %s and format %s; watching=%s', (dest, format, watching) => {
    const menu = buildTrayMenu({ ...base, defaultDestination: dest, linkFormat: format, watching });
    const checkedIn = (id: string): string[] => {
      const sub = find(menu, id);
      return sub?.type === 'submenu' ? sub.items.flatMap((i) => (i.type === 'radio' && i.checked ? [i.id] : [])) : [];
    };
    expect(checkedIn('destination')).toEqual([`destination:${dest}`]);
    expect(checkedIn('link-format')).toEqual([`link-format:${format}`]);
    expect(find(menu, 'watching')).toMatchObject({ type: 'checkbox', checked: watching, action: { type: 'set-watching', watching: !watching } });
    expect(find(menu, `destination:${dest}`)).toMatchObject({ action: { type: 'set-destination', destination: dest } });
  });

  it('offers only available destinations, but always shows the current default', () => {
    const menu = buildTrayMenu({ ...base, destinations: ['local'], defaultDestination: 'imagekit' });
    expect(outline([find(menu, 'destination')!])).toEqual(['destination[destination:imagekit*,destination:local]']);
  });

  it('is serialisable data', () => {
    const menu = buildTrayMenu({ ...busy, recent: [{ id: 'x', name: 'a.png', url: 'https://x/a' }] });
    expect(JSON.parse(JSON.stringify(menu))).toEqual(menu);
  });
});

describe('trayTooltip', () => {
  it.each([
    ['idle', base, 'Ferry'],
    ['busy', busy, 'Ferry — uploading 3 files, 42 %'],
    ['one file', { ...busy, activeJobs: 1 }, 'Ferry — uploading 1 file, 42 %'],
    ['paused', paused, 'Ferry — paused, 3 files, 42 %'],
    ['not started', { ...busy, sentBytes: 0 }, 'Ferry — uploading 3 files, 0 %'],
    ['unknown size', { ...busy, totalBytes: 0, sentBytes: 0 }, 'Ferry — uploading 3 files, 0 %'],
    ['almost done floors', { ...busy, totalBytes: 1000, sentBytes: 999 }, 'Ferry — uploading 3 files, 99 %'],
    ['with speed', { ...busy, speedBps: 2.5 * 1024 * 1024 }, 'Ferry — uploading 3 files, 42 %, 2.5 MB/s'],
  ] as const)('%s', (_name, state, text) => {
    expect(trayTooltip(state)).toBe(text);
  });

  it('overallPercent clamps odd inputs', () => {
    expect(overallPercent({ totalBytes: 100, sentBytes: 250 })).toBe(100);
    expect(overallPercent({ totalBytes: 100, sentBytes: -5 })).toBe(0);
    expect(overallPercent({ totalBytes: Number.NaN, sentBytes: 5 })).toBe(0);
  });
});

describe('formatLink', () => {
  const url = 'https://cdn.example/a b(1)<x>.png?x=1&y=2';
  it.each([
    ['url', 'plain.png', 'https://cdn.example/p.png', 'https://cdn.example/p.png'],
    ['markdown', 'plain.png', 'https://cdn.example/p.png', '[plain.png](https://cdn.example/p.png)'],
    ['markdown', 'a [b] *c* _d_ `e` \\f <g> &h |i| ~j~', 'https://x/y', '[a \\[b\\] \\*c\\* \\_d\\_ \\`e\\` \\\\f \\<g\\> \\&h \\|i\\| \\~j\\~](https://x/y)'],
    ['markdown', 'two\nlines', 'https://x/y', '[two lines](https://x/y)'],
    ['markdown', 'f.png', url, '[f.png](https://cdn.example/a%20b%281%29%3Cx%3E.png?x=1&y=2)'],
    ['markdown', 'nbsp', 'https://x/a\u00a0b', '[nbsp](https://x/a%C2%A0b)'],
    ['html', 'plain.png', 'https://cdn.example/p.png', '<a href="https://cdn.example/p.png">plain.png</a>'],
    [
      'html',
      `<img src=x onerror="alert('1')">&amp;`,
      'https://x/?a=1&b="2"',
      '<a href="https://x/?a=1&#38;b=&#34;2&#34;">&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;amp;</a>',
    ],
  ] as const)('%s: %j', (format, name, link, expected) => {
    expect(formatLink(link, name, format)).toBe(expected);
  });
});
