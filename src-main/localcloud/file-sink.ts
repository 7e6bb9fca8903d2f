import type { FileHandle } from 'node:fs/promises';

/**
 * Writes a stream of small chunks (an HTTP body arrives in ≤ 64 KiB pieces) to a file at
 * increasing positions, gathered into large writes that are issued without waiting for the
 * previous one, so the disk work overlaps the network and a 6 MiB part costs about six write
 * calls instead of a hundred awaited ones.
 */
export type ChunkSink = {
  /** Queues a chunk; resolves at once unless too many writes are outstanding (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Flushes the rest and waits for every write; rejects with the first write error. */
  end(): Promise<void>;
  /** Bytes accepted so far. */
  readonly accepted: number;
};

/** Gathered bytes per write call. */
const BATCH_BYTES = 1024 * 1024;
/** Writes in flight before `write` waits. */
const MAX_PENDING = 64;

/** Writes all of `buffers` at `position`, continuing after short writes. */
export async function writeAllAt(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pos = position;
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, pos);
    pos += bytesWritten;
    rest = skipBytes(rest, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  let left = n;
  let i = 0;
  while (i < buffers.length && left >= (buffers[i] as Buffer).length) left -= (buffers[i++] as Buffer).length;
  const out = buffers.slice(i);
  if (left > 0 && out.length > 0) out[0] = (out[0] as Buffer).subarray(left);
  return out;
}

/**
 * A sink writing to `fh` from byte `start` on, in writes of about `batchBytes` (1 MiB: parts;
 * streams that should reach the disk as they arrive pass less). The caller closes the handle
 * after `end()`.
 */
export function positionalSink(fh: FileHandle, start: number, batchBytes = BATCH_BYTES): ChunkSink {
  let batch: Buffer[] = [];
  let pendingBytes = 0;
  let position = start;
  let accepted = 0;
  let failure: unknown = null;
  const pending: Promise<void>[] = [];
  const flush = (): void => {
    if (pendingBytes === 0) return;
    const p = writeAllAt(fh, batch, position).catch((err: unknown) => {
      failure ??= err;
    });
    pending.push(p);
    position += pendingBytes;
    batch = [];
    pendingBytes = 0;
  };
  return {
    get accepted() {
      return accepted;
    },
    async write(chunk) {
      if (failure !== null) throw failure;
      batch.push(chunk);
      pendingBytes += chunk.length;
      accepted += chunk.length;
      if (pendingBytes >= batchBytes) flush();
      while (pending.length >= MAX_PENDING) await pending.shift();
      if (failure !== null) throw failure;
    },
    async end() {
      flush();
      await Promise.all(pending.splice(0));
      if (failure !== null) throw failure;
    },
  };
}
