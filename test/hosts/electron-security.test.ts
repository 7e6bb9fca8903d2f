import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_CSP,
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_RESPONSE_HEADERS,
  contentTypeFor,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSenderUrl,
  resolveAppAsset,
  secureWebPreferences,
  shouldOpenExternal,
} from '../../src-main/hosts/electron/security.js';
import { toMenuTemplate, trayIconFile } from '../../src-main/hosts/electron/tray-menu.js';
import { buildTrayMenu, type TrayAction } from '../../src-main/hosts/tray-model.js';
import { deriveTrayState } from '../../src-main/hosts/tray-state.js';

describe('secureWebPreferences', () => {
  it('is the full hardened set', () => {
    expect(secureWebPreferences('/x/preload.cjs')).toEqual({
      preload: '/x/preload.cjs',
      devTools: true,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    });
  });

  it('has no DevTools at all in packaged builds', () => {
    expect(secureWebPreferences('/x/preload.cjs', { devTools: false })).toMatchObject({ devTools: false, sandbox: true, contextIsolation: true });
  });
});

describe('APP_CSP', () => {
  const directives = new Map(
    APP_CSP.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );

  it.each([
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self' data: blob: http://127.0.0.1:*"],
    ['connect-src', "'self' http://127.0.0.1:*"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ])('%s is %s', (name, value) => {
    expect(directives.get(name)).toBe(value);
  });

  it('never allows inline or eval code, remote hosts or a socket (IPC carries the contract)', () => {
    expect(APP_CSP).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*\s|https:|wss?:/);
  });

  it('is sent on every app:// response with nosniff', () => {
    expect(APP_RESPONSE_HEADERS['Content-Security-Policy']).toBe(APP_CSP);
    expect(APP_RESPONSE_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });
});

describe('origin checks', () => {
  const cases: [url: unknown, trusted: boolean][] = [
    [APP_ENTRY_URL, true],
    [`${APP_ORIGIN}/`, true],
    ['app://ferry/assets/index-abc.js?x=1#y', true],
    ['app://FERRY/index.html', true],
    ['app://ferry.evil/index.html', false],
    ['app://evil/index.html', false],
    ['app://ferry@evil/index.html', false],
    ['app://user:pw@ferry/index.html', false],
    ['app://ferry:8080/index.html', false],
    ['app:ferry/index.html', false],
    ['file:///work/dist/renderer/index.html', false],
    ['http://evil.example/', false],
    ['http://127.0.0.1:5173/', false],
    ['https://cdn.filestackcontent.com/x', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['about:blank', false],
    ['devtools://devtools/bundled/inspector.html', false],
    ['', false],
    ['not a url', false],
    [undefined, false],
    [42, false],
  ];

  it.each(cases)('isTrustedSenderUrl(%s) → %s', (url, expected) => {
    expect(isTrustedSenderUrl(url)).toBe(expected);
  });

  it.each(cases)('isAllowedNavigation(%s) → %s', (url, expected) => {
    expect(isAllowedNavigation(url)).toBe(expected);
  });
});

describe('shouldOpenExternal', () => {
  it.each<[string, boolean]>([
    ['https://cdn.filestackcontent.com/AbCdEf123', true],
    ['https://cdn.filestackcontent.com/resize=width:200/AbCdEf123', true],
    ['https://www.filestackapi.com/api/file/AbCdEf123', true],
    ['https://ik.imagekit.io/demo/tr:w-200/photo.jpg', true],
    ['https://imagekit.io/dashboard', true],
    ['https://CDN.FILESTACKCONTENT.COM/x', true],
    ['http://cdn.filestackcontent.com/x', false],
    ['https://cdn.filestackcontent.com:8443/x', false],
    ['https://cdn.filestackcontent.com.evil.com/x', false],
    ['https://evilfilestackcontent.com/x', false],
    ['https://imagekit.io.evil.com/x', false],
    ['https://user:pw@cdn.filestackcontent.com/x', false],
    ['https://evil.example/', false],
    ['http://evil', false],
    ['file:///etc/passwd', false],
    ['smb://share/x', false],
    ['javascript:alert(1)', false],
    ['data:text/html,hi', false],
    ['app://ferry/index.html', false],
    ['http://127.0.0.1:4000/files/abc', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(shouldOpenExternal(url)).toBe(expected);
  });

  it('allows an exact extra origin (the local cloud) but not its neighbours', () => {
    const extra = ['http://127.0.0.1:4000'];
    expect(shouldOpenExternal('http://127.0.0.1:4000/files/abc', extra)).toBe(true);
    expect(shouldOpenExternal('http://127.0.0.1:4001/files/abc', extra)).toBe(false);
    expect(shouldOpenExternal('http://localhost:4000/files/abc', extra)).toBe(false);
  });
});

describe('permissions', () => {
  it.each<[string, boolean]>([
    ['clipboard-sanitized-write', true],
    ['clipboard-read', false],
    ['media', false],
    ['geolocation', false],
    ['notifications', false],
    ['openExternal', false],
    ['fileSystem', false],
    ['unknown', false],
  ])('%s → %s', (permission, expected) => {
    expect(isPermissionAllowed(permission)).toBe(expected);
  });
});

describe('resolveAppAsset', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'ferry-electron-asset-')));
    root = path.join(base, 'renderer');
    await mkdir(path.join(root, 'assets', 'sub'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'export {};');
    await writeFile(path.join(root, 'assets', 'sub', 'index.html'), 'sub');
    await writeFile(path.join(root, 'assets', 'a b.css'), 'body{}');
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    await mkdir(path.join(base, 'renderer-evil'));
    await writeFile(path.join(base, 'renderer-evil', 'x.js'), 'evil');
    // Planted links: one to a file outside the root, one to a directory outside it, one inside.
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'assets', 'leak.txt'));
    await symlink(base, path.join(root, 'assets', 'up'));
    await symlink(path.join(root, 'assets', 'app.js'), path.join(root, 'assets', 'alias.js'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it.each<[string, string]>([
    ['app://ferry/index.html', 'index.html'],
    ['app://ferry/', 'index.html'],
    ['app://ferry', 'index.html'],
    ['app://ferry/assets/app.js?v=1#x', 'assets/app.js'],
    ['app://ferry/assets/sub/', 'assets/sub/index.html'],
    ['app://ferry/assets/a%20b.css', 'assets/a b.css'],
    ['app://ferry/assets//app.js', 'assets/app.js'],
    ['app://ferry/assets/alias.js', 'assets/app.js'],
  ])('serves %s', async (url, rel) => {
    expect(await resolveAppAsset(root, url)).toBe(path.join(root, ...rel.split('/')));
  });

  it.each([
    'app://ferry/../secret.txt',
    'app://ferry/assets/../../secret.txt',
    'app://ferry/%2e%2e/secret.txt',
    'app://ferry/%2E%2E%2Fsecret.txt',
    'app://ferry/..%2fsecret.txt',
    'app://ferry/assets%2f..%2f..%2fsecret.txt',
    'app://ferry/..%5csecret.txt',
    'app://ferry/assets\\..\\..\\secret.txt',
    'app://ferry/%2e%2e%2frenderer-evil/x.js',
    'app://ferry//etc/passwd',
    'app://ferry/%2fetc/passwd',
    'app://ferry/C:/Windows/win.ini',
    'app://ferry/index.html%00.png',
    'app://ferry/%E0%A4%A',
    'app://ferry/assets/leak.txt',
    'app://ferry/assets/up/secret.txt',
    'app://ferry/assets/sub',
    'app://ferry/assets',
    'app://ferry/missing.js',
    'app://evil/index.html',
    'app://ferry.evil/index.html',
    'file:///etc/passwd',
    'https://ferry/index.html',
    'not a url',
  ])('refuses %s', async (url) => {
    expect(await resolveAppAsset(root, url)).toBeNull();
  });

  it('refuses an absolute path built from the real temp dir', async () => {
    const url = `app://ferry/${encodeURIComponent(path.join(base, 'secret.txt'))}`;
    expect(await resolveAppAsset(root, url)).toBeNull();
  });

  it('returns null when the root itself does not exist', async () => {
    expect(await resolveAppAsset(path.join(base, 'nope'), 'app://ferry/index.html')).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it.each<[string, string]>([
    ['/r/index.html', 'text/html; charset=utf-8'],
    ['/r/assets/app-1.js', 'text/javascript; charset=utf-8'],
    ['/r/assets/app.CSS', 'text/css; charset=utf-8'],
    ['/r/logo.svg', 'image/svg+xml'],
    ['/r/font.woff2', 'font/woff2'],
    ['/r/blob.bin', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe('tray menu', () => {
  it('renders the pure tray model and routes every click through dispatch', () => {
    const actions: TrayAction[] = [];
    const state = deriveTrayState([], { defaultDestination: 'local', destinations: ['local', 'filestack'], linkFormat: 'url', watching: true });
    const template = toMenuTemplate(buildTrayMenu(state), (a) => actions.push(a));
    const labels = template.filter((i) => i.type !== 'separator').map((i) => i.label);
    expect(labels).toEqual(['Open Ferry', 'Upload file(s)…', 'Upload from clipboard', 'Recent uploads', 'Pause all', 'Default destination', 'Link format', 'Watch folders', 'Quit Ferry']);
    // Pause all is disabled with nothing active; a disabled item must not be clickable into an action.
    expect(template.find((i) => i.id === 'pause-all')?.enabled).toBe(false);
    const destination = template.find((i) => i.id === 'destination');
    const submenu = destination?.submenu as { id?: string; checked?: boolean; click?: () => void }[];
    expect(submenu.map((i) => [i.id, i.checked])).toEqual([['destination:local', true], ['destination:filestack', false]]);
    submenu[1]?.click?.();
    (template.find((i) => i.id === 'quit')?.click as () => void)();
    expect(actions).toEqual([{ type: 'set-destination', destination: 'filestack' }, { type: 'quit' }]);
  });

  it('uses the template image on macOS only', () => {
    expect(trayIconFile('darwin')).toBe('trayTemplate.png');
    expect(trayIconFile('linux')).toBe('tray.png');
    expect(trayIconFile('win32')).toBe('tray.png');
  });
});
