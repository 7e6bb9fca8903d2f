import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { positionalSink } from '../file-sink.js';
import { HttpError } from '../router.js';

/** Where received bytes go: a file and the byte position they start at. */
export type Target = { readonly file: string; readonly position: number; readonly truncate: boolean };

/** What arrived: byte count and the hex MD5 of exactly those bytes. */
export type Received = { readonly bytes: number; readonly md5: string };

/**
 * Streams a part or chunk body into `target` (in place in the data file, or a side file) while
 * hashing it: one MD5 pass, large pipelined writes, no copy. More than `limit` bytes is a 400
 * EntityTooLarge at once. `mutate` (test hook) gets the whole body first, as "received in transit".
 */
export async function receiveInto(req: IncomingMessage, target: Target, limit: number, what: string, mutate?: (body: Buffer) => Buffer): Promise<Received> {
  // O_CREAT without O_TRUNC: other parts may already sit in the data file.
  const flags = constants.O_RDWR | constants.O_CREAT | (target.truncate ? constants.O_TRUNC : 0);
  const fh = await open(target.file, flags, 0o644).catch((err: unknown) => {
    // The upload's folder is gone (expired or wiped while the client was away).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(404, 'NoSuchUpload', 'This upload no longer exists on the server.');
    throw err;
  });
  const md5 = createHash('md5');
  const sink = positionalSink(fh, target.position);
  try {
    if (mutate) {
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = mutate(Buffer.concat(chunks));
      md5.update(body);
      await sink.write(body);
    } else {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (sink.accepted + chunk.length > limit) throw new HttpError(400, 'EntityTooLarge', `${what} is larger than the ${limit} bytes it was signed for.`);
        md5.update(chunk);
        await sink.write(chunk);
      }
    }
    await sink.end();
  } finally {
    await sink.end().catch(() => undefined);
    await fh.close();
  }
  return { bytes: sink.accepted, md5: md5.digest('hex') };
}
