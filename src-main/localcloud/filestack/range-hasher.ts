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

/** Bytes held ahead of the hashed prefix per upload (3 parts of 8 MiB in flight hold at most 24 MiB ahead). */
export const HOLD_BYTES = 32 * 1024 * 1024;
/** Bytes read back per call when a range must come from the file. */
const READ_BYTES = 1024 * 1024;

type Held = { readonly end: number; readonly chunks: readonly Buffer[] };

/** Bytes hashed per event-loop turn: small API calls are answered between two such slices. */
const SLICE_BYTES = 1024 * 1024;

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export function createRangeHasher(): RangeHasher {
  let hash = createHash('md5');
  let hashedTo = 0;
  /** End of the range being hashed right now (a touch below it spoils the hash too). */
  let hashingTo = 0;
  let spoiled = false;
  const held = new Map<number, Held>();
  let heldBytes = 0;
  let pumping: Promise<void> | null = null;

  // Hashes what lines up with the prefix, a slice per turn so the server stays responsive.
  const pump = async (): Promise<void> => {
    for (let next = held.get(hashedTo); next !== undefined && !spoiled; next = held.get(hashedTo)) {
      held.delete(hashedTo);
      heldBytes -= next.end - hashedTo;
      hashingTo = next.end;
      let slice = 0;
      for (const c of next.chunks) {
        if (spoiled) return;
        hash.update(c);
        slice += c.length;
        if (slice >= SLICE_BYTES) {
          slice = 0;
          await nextTurn();
        }
      }
      hashedTo = next.end;
    }
  };
  const kick = (): void => {
    if (pumping !== null || spoiled || !held.has(hashedTo)) return;
    pumping = pump().finally(() => {
      pumping = null;
      kick();
    });
  };
  const idle = async (): Promise<void> => {
    while (pumping !== null) await pumping;
  };
  return {
    offer(start, chunks) {
      const end = start + chunks.reduce((n, c) => n + c.length, 0);
      if (spoiled || end <= start || start < hashedTo || held.has(start)) return;
      // The next range is always taken (hashing it frees memory); others while there is room.
      if (start !== hashedTo && heldBytes + (end - start) > HOLD_BYTES) return;
      held.set(start, { end, chunks });
      heldBytes += end - start;
      kick();
    },
    touch(start, end) {
      if (start < Math.max(hashedTo, hashingTo)) spoiled = true;
      for (const [s, h] of held) {
        if (s < end && start < h.end) {
          held.delete(s);
          heldBytes -= h.end - s;
        }
      }
    },
    async digest(file, total) {
      await idle();
      if (spoiled) {
        hash = createHash('md5');
        hashedTo = 0;
        hashingTo = 0;
        held.clear();
        heldBytes = 0;
        spoiled = false;
      }
      // Gaps memory did not fill are read back, taking held ranges from memory on the way.
      const fh = hashedTo < total || held.size > 0 ? await open(file, 'r') : null;
      const buf = Buffer.allocUnsafe(fh ? READ_BYTES : 0);
      try {
        while (hashedTo < total) {
          kick();
          await idle();
          if (hashedTo >= total) break;
          const nextHeld = Math.min(total, ...[...held.keys()].filter((s) => s > hashedTo));
          for (let at = hashedTo; at < nextHeld; ) {
            const { bytesRead } = await (fh as NonNullable<typeof fh>).read(buf, 0, Math.min(READ_BYTES, nextHeld - at), at);
            if (bytesRead === 0) throw new Error(`${file} is shorter than ${total} bytes`);
            hash.update(buf.subarray(0, bytesRead));
            at += bytesRead;
          }
          hashedTo = nextHeld;
          hashingTo = nextHeld;
        }
      } finally {
        await fh?.close();
      }
      return hash.copy().digest('hex');
    },
  };
}

/** Hex MD5 of bytes [0, total) of a file, read in order. */
export async function md5OfRange(file: string, total: number): Promise<string> {
  return createRangeHasher().digest(file, total);
}
