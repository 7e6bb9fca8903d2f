import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * The stored file's MD5, computed in file order while the upload runs: parts land in any order,
 * and whenever the bytes from the hashed prefix on are written and final, they are read back
 * (from the page cache, they were just written) and hashed. Complete then only waits for the
 * last part instead of reading the whole file again. A write into bytes already hashed (a part
 * sent twice) makes the hash unusable (`digest` answers null) and the caller hashes the file.
 */
export type RangeHasher = {
  /** Bytes [start, end) are written and final. */
  ready(start: number, end: number): void;
  /** Bytes [start, end) are about to be (re)written: they are no longer final. */
  touch(start: number, end: number): void;
  /** Hex MD5 of bytes [0, total) once hashed that far; null when it cannot be (a rewrite, a gap). */
  digest(total: number): Promise<string | null>;
};

/** Bytes read back per call. */
const READ_BYTES = 1024 * 1024;

/** A hasher for the data file at `file`. */
export function createRangeHasher(file: string): RangeHasher {
  const hash: Hash = createHash('md5');
  const ready = new Map<number, number>();
  let hashedTo = 0;
  /** End of the range being read right now (a touch below it spoils the hash too). */
  let readingTo = 0;
  let dirty = false;
  let running: Promise<void> | null = null;

  const advance = async (): Promise<void> => {
    const fh = await open(file, 'r');
    const buf = Buffer.allocUnsafe(READ_BYTES);
    try {
      for (let end = ready.get(hashedTo); end !== undefined && !dirty; end = ready.get(hashedTo)) {
        ready.delete(hashedTo);
        readingTo = end;
        for (let at = hashedTo; at < end; ) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, end - at), at);
          if (bytesRead === 0) {
            dirty = true;
            break;
          }
          hash.update(buf.subarray(0, bytesRead));
          at += bytesRead;
        }
        hashedTo = end;
      }
    } finally {
      await fh.close();
    }
  };
  const kick = (): void => {
    if (running !== null || dirty || !ready.has(hashedTo)) return;
    running = advance()
      .catch(() => {
        dirty = true;
      })
      .finally(() => {
        running = null;
        kick();
      });
  };
  return {
    ready(start, end) {
      if (end <= start || dirty) return;
      ready.set(start, end);
      kick();
    },
    touch(start, end) {
      if (start < Math.max(hashedTo, readingTo)) dirty = true;
      for (const [s, e] of ready) if (s < end && start < e) ready.delete(s);
    },
    async digest(total) {
      kick();
      while (running !== null) await running;
      if (dirty || hashedTo !== total) return null;
      return hash.copy().digest('hex');
    },
  };
}

/** Hex MD5 of bytes [0, total) of a file, read in order (the fallback when the running hash is unusable). */
export async function md5OfRange(file: string, total: number): Promise<string> {
  const h = createHash('md5');
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(READ_BYTES);
  try {
    for (let at = 0; at < total; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, total - at), at);
      if (bytesRead === 0) throw new Error(`${file} is shorter than ${total} bytes`);
      h.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}
