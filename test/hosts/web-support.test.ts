import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCsp } from '../../src-main/hosts/csp.js';
import { defaultDataDir } from '../../src-main/hosts/data-dir.js';
import { createLogger, redact } from '../../src-main/hosts/logger.js';
import { parseWebArgs } from '../../src-main/hosts/web/args.js';

describe('defaultDataDir', () => {
  it('prefers FERRY_DATA_DIR, then the platform location', () => {
    expect(defaultDataDir({ FERRY_DATA_DIR: '/x/y' }, 'linux', '/home/u')).toBe('/x/y');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/Ferry');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Ferry');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Ferry');
    expect(defaultDataDir({ APPDATA: '/appdata' }, 'win32', '/home/u')).toBe(join('/appdata', 'Ferry'));
  });
});

describe('logger', () => {
  it('writes JSON lines without secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-log-'));
    try {
      const logger = createLogger({ dataDir: dir });
      logger.info('uploading https://x/api?apikey=SECRETKEY1&policy=POL1&signature=SIG1&ok=1', { apikey: 'SECRETKEY2', nested: { token: 'T0K' }, size: 5 });
      logger.error('auth', { header: 'Bearer abc.def' });
      await logger.close();
      const lines = (await readFile(join(dir, 'logs', 'ferry.log'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(2);
      const first = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(first).toMatchObject({ level: 'info', size: 5, apikey: '[redacted]', nested: { token: '[redacted]' } });
      const text = lines.join('\n');
      for (const secret of ['SECRETKEY1', 'SECRETKEY2', 'POL1', 'SIG1', 'T0K', 'abc.def']) expect(text).not.toContain(secret);
      expect(text).toContain('ok=1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('redact leaves plain data alone', () => {
    expect(redact({ a: 1, b: ['x'], c: null })).toEqual({ a: 1, b: ['x'], c: null });
  });
});

describe('parseWebArgs', () => {
  it('parses both flag forms and the FERRY_PORT default', () => {
    expect(parseWebArgs(['--port', '8080', '--data=/d'], {})).toEqual({ port: 8080, dataDir: '/d', staticDir: null, open: false, files: [] });
    expect(parseWebArgs(['a.jpg', '--port=1', 'b c.png', '--', '--odd'], {}).files).toEqual(['a.jpg', 'b c.png', '--odd']);
    expect(parseWebArgs([], { FERRY_PORT: '9000' }).port).toBe(9000);
    // No port named: the host comes back on the port this data folder used last time.
    expect(parseWebArgs([], {}).port).toBeNull();
    expect(parseWebArgs(['--port=0'], {}).port).toBe(0);
    expect(parseWebArgs(['--open'], {}).open).toBe(true);
    expect(() => parseWebArgs(['--port', 'x'], {})).toThrow(/port number/);
    expect(() => parseWebArgs(['--data'], {})).toThrow(/needs a value/);
  });
});

describe('buildCsp', () => {
  it('pins the socket to the host port and forbids everything else', () => {
    const csp = buildCsp({ port: 4321 });
    expect(csp).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http://127.0.0.1:*; media-src 'self' blob: http://127.0.0.1:*; connect-src 'self' ws://127.0.0.1:4321 http://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });
});
