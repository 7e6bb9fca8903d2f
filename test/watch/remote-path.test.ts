import { describe, expect, it } from 'vitest';
import { buildRemotePath, isSafeRemoteKey } from '../../src-main/watch/remote-path.js';
import { isTempName } from '../../src-main/watch/ignore.js';

/** mulberry32: a tiny seeded PRNG so the 10k names are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['..', '../', '/', '\\', '\0', '\u0007', 'CON', 'nul.txt', 'a.', ' ', '...', '%2e%2e', 'é', 'e\u0301', '😀', '?', '*', ':', '|', '<', '>', '"', '#', '~', '{name}', 'x'.repeat(300), '.', '\u202e', 'ﬁ', '\t', '$', '/etc/passwd', 'C:\\Windows', 'lpt1'];

function hostileName(rand: () => number): string {
  let out = '';
  const n = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(rand() * PIECES.length)];
  return out;
}

const TEMPLATES = ['{folder}/{path}', '{folder}/{yyyy}/{mm}/{name}', '{dir}/{stem}-{dd}.{ext}', '../{name}', '/abs/{path}/..', '{stem}..{ext}'];

describe('remote path builder (row 11: hostile names)', () => {
  it('10k generated hostile names → every key matches the allow-list, no `..` segment, deterministic', () => {
    const rand = prng(11);
    const unsafe: string[] = [];
    let unstable = 0;
    let checked = 0;
    for (let i = 0; i < 10_000; i++) {
      const relativePath = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => hostileName(rand)).join(rand() < 0.5 ? '/' : '\\');
      const facts = { folder: hostileName(rand), relativePath, mtimeMs: Math.floor(rand() * 4e12) };
      const template = TEMPLATES[i % TEMPLATES.length]!;
      const key = buildRemotePath(template, facts);
      // Plain checks in the loop: 10k expect() calls would dominate the run time.
      if (!isSafeRemoteKey(key) || key.split('/').includes('..')) unsafe.push(`${JSON.stringify(key)} from ${JSON.stringify(facts)}`);
      if (buildRemotePath(template, facts) !== key) unstable++;
      checked++;
    }
    expect(unsafe).toEqual([]);
    expect(unstable).toBe(0);
    expect(checked).toBe(10_000);
  });

  it('NFC and NFD spellings map to one key; dates come from mtime in UTC', () => {
    const at = Date.UTC(2024, 1, 9, 23, 59);
    const nfc = buildRemotePath('{folder}/{yyyy}/{mm}/{dd}/{name}', { folder: 'Photos', relativePath: 'sub/caf\u00e9.jpg', mtimeMs: at });
    const nfd = buildRemotePath('{folder}/{yyyy}/{mm}/{dd}/{name}', { folder: 'Photos', relativePath: 'sub/cafe\u0301.jpg', mtimeMs: at });
    expect(nfc).toBe('Photos/2024/02/09/caf\u00e9.jpg');
    expect(nfd).toBe(nfc);
  });

  it('a climbing template cannot escape, and unsafe characters become _', () => {
    expect(buildRemotePath('../../{name}', { folder: 'f', relativePath: '../x?.txt', mtimeMs: 0 })).toBe('x_.txt');
    expect(buildRemotePath('{path}', { folder: 'f', relativePath: 'a/CON/b#c.txt', mtimeMs: 0 })).toBe('a/_CON/b_c.txt');
  });

  it('recognises editor temp and lock names, and only those', () => {
    for (const name of ['.x.swp', 'x.swx', 'x~', 'x.tmp', 'x.part', 'a.crdownload', 'b.download', '~$x.docx', '.~lock.x.odt#', '.DS_Store', 'Thumbs.db', '.#x.c', '4913']) {
      expect(isTempName(name), name).toBe(true);
    }
    for (const name of ['x.txt', 'photo.jpg', 'report.docx', 'tmp.txt', '4914', 'part.zip']) expect(isTempName(name), name).toBe(false);
  });
});
