import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { createStreamingContentKey } from '../engine/content-key.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import type { StableFacts } from './stability.js';

/** What to do with a settled file. */
export type Decision =
  | { readonly kind: 'skip'; readonly reason: 'already uploaded' | 'alias of a file being uploaded' | 'same file under another name' }
  /** A ledger entry whose old path is gone now lives here: recorded, not uploaded (row 18). */
  | { readonly kind: 'renamed'; readonly from: string }
  /** `contentKey`: the engine's dedupe key of these bytes (content-key.ts), what a done job records. */
  | { readonly kind: 'upload'; readonly sha256: string; readonly contentKey: string };

/** The cheap check run before waiting for stability: this exact version is in the ledger. */
export function isRecorded(ledger: Ledger, folderId: string, path: string, size: number, mtimeMs: number): boolean {
  const entry = ledger.byPath(folderId, path);
  return entry !== undefined && entry.size === size && entry.mtimeMs === mtimeMs;
}

/**
 * Decides whether a settled file needs an upload. Order matters for cost: path and inode
 * lookups need no I/O beyond an lstat; only a file the ledger cannot place by identity is hashed.
 *
 * - same path, size and mtime → already uploaded;
 * - same (dev, ino, size, mtime) as an entry at another path: if that path still holds the same
 *   inode it is a hard link or alias → skip once; if it is gone → a rename;
 * - same sha256 as an entry at this path (touched, re-saved unchanged) → refresh the entry;
 *   as an entry whose path is gone → a rename (e.g. moved across devices);
 * - otherwise upload. Equal content at two live paths is uploaded twice on purpose: each path
 *   has its own remote key, and users expect a copy to appear where they put it.
 */
export async function decide(ledger: Ledger, folderId: string, facts: StableFacts, inFlight: ReadonlyMap<string, string>): Promise<Decision> {
  if (isRecorded(ledger, folderId, facts.path, facts.size, facts.mtimeMs)) return { kind: 'skip', reason: 'already uploaded' };
  const other = inFlight.get(inodeKey(folderId, facts.dev, facts.ino));
  if (other !== undefined && other !== facts.path) return { kind: 'skip', reason: 'alias of a file being uploaded' };
  for (const entry of ledger.byInode(folderId, facts.dev, facts.ino)) {
    if (entry.path === facts.path || entry.size !== facts.size || entry.mtimeMs !== facts.mtimeMs) continue;
    if (await holdsInode(entry)) return { kind: 'skip', reason: 'same file under another name' };
    ledger.rename(entry, facts);
    return { kind: 'renamed', from: entry.path };
  }
  const { sha256, contentKey } = await hashFile(facts.path, facts.size);
  for (const entry of ledger.byHash(folderId, sha256)) {
    if (entry.path === facts.path) {
      ledger.record({ ...entry, size: facts.size, mtimeMs: facts.mtimeMs, dev: facts.dev, ino: facts.ino });
      return { kind: 'skip', reason: 'already uploaded' };
    }
    if (!(await exists(entry.path))) {
      ledger.rename(entry, facts);
      return { kind: 'renamed', from: entry.path };
    }
  }
  return { kind: 'upload', sha256, contentKey };
}

/** Key of a file's identity within one folder. */
export const inodeKey = (folderId: string, dev: number, ino: number): string => `${folderId}:${dev}:${ino}`;

async function holdsInode(entry: LedgerEntry): Promise<boolean> {
  const now = await lstat(entry.path).catch(() => null);
  return now !== null && now.dev === entry.dev && now.ino === entry.ino;
}

const exists = (path: string): Promise<boolean> => lstat(path).then(
  () => true,
  () => false,
);

/**
 * sha256 (the ledger's key) and the engine's content key (what a done job records, so adoption
 * after a crash can tell the same bytes: intake.ts) in one streaming pass, bounded memory.
 */
export function hashFile(path: string, expectedSize: number): Promise<{ sha256: string; contentKey: string }> {
  return new Promise((resolve, reject) => {
    const sha = createHash('sha256');
    const key = createStreamingContentKey(expectedSize);
    createReadStream(path)
      .on('data', (chunk) => {
        const bytes = chunk as Buffer;
        sha.update(bytes);
        key.update(bytes);
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: sha.digest('hex'), contentKey: key.digest() }));
  });
}
