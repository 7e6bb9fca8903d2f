import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * The stored file's MD5, computed in file order from the bytes as they arrive: a part (or FII
 * chunk) that lands right where the hashed prefix ends is hashed from memory at once, one that
 * lands ahead of it is held (up to HOLD_BYTES per upload) until the gap before it is filled. So
 * complete normally has nothing left to hash and reads nothing back. What could not be held, or
 * a gap nobody filled from memory, is read back from the file at complete; a write into bytes
 * already hashed (a part sent twice) throws the running hash away and complete hashes the file.
 */
export type RangeHasher = {
  /** The bytes of [start, start + total of `chunks`) were received, checked and written. */
  offer(start: number, chunks: readonly Buffer[]): void;
  /** Bytes [start, end) are about to be (re)written: held copies of them are dropped. */
  touch(start: number, end: number): void;
  /** Hex MD5 of bytes [0, total) of `file`, reading back only what memory did not supply. */
  digest(file: string, total: number): Promise<string>;
};

/** Bytes held ahead of the hashed prefix per upload (3 parts of 6 MiB in flight is 12 MiB ahead). */
export const HOLD_BYTES = 64 * 1024 * 1024;
/** Bytes read back per call when a range must come from the file. */
const READ_BYTES = 1024 * 1024;

type Held = { readonly end: number; readonly chunks: readonly Buffer[] };

export function createRangeHasher(): RangeHasher {
  let hash = createHash('md5');
  let hashedTo = 0;
  let spoiled = false;
  const held = new Map<number, Held>();
  let heldBytes = 0;

  const drain = (): void => {
    for (let next = held.get(hashedTo); next !== undefined; next = held.get(hashedTo)) {
      held.delete(hashedTo);
      heldBytes -= next.end - hashedTo;
      for (const c of next.chunks) hash.update(c);
      hashedTo = next.end;
    }
  };
  return {
    offer(start, chunks) {
      const end = start + chunks.reduce((n, c) => n + c.length, 0);
      if (spoiled || end <= start) return;
      if (start === hashedTo) {
        for (const c of chunks) hash.update(c);
        hashedTo = end;
        drain();
      } else if (start > hashedTo && heldBytes + (end - start) <= HOLD_BYTES) {
        held.set(start, { end, chunks });
        heldBytes += end - start;
      }
    },
    touch(start, end) {
      if (start < hashedTo) spoiled = true;
      for (const [s, h] of held) {
        if (s < end && start < h.end) {
          held.delete(s);
          heldBytes -= h.end - s;
        }
      }
    },
    async digest(file, total) {
      if (spoiled) {
        hash = createHash('md5');
        hashedTo = 0;
        held.clear();
        heldBytes = 0;
        spoiled = false;
      }
      drain();
      if (hashedTo < total) {
        // Gaps memory did not fill: read them back, taking held ranges from memory on the way.
        const fh = await open(file, 'r');
        const buf = Buffer.allocUnsafe(READ_BYTES);
        try {
          while (hashedTo < total) {
            const nextHeld = Math.min(total, ...[...held.keys()].filter((s) => s > hashedTo));
            for (let at = hashedTo; at < nextHeld; ) {
              const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, nextHeld - at), at);
              if (bytesRead === 0) throw new Error(`${file} is shorter than ${total} bytes`);
              hash.update(buf.subarray(0, bytesRead));
              at += bytesRead;
            }
            hashedTo = nextHeld;
            drain();
          }
        } finally {
          await fh.close();
        }
      }
      return hash.copy().digest('hex');
    },
  };
}

/** Hex MD5 of bytes [0, total) of a file, read in order. */
export async function md5OfRange(file: string, total: number): Promise<string> {
  return createRangeHasher().digest(file, total);
}
