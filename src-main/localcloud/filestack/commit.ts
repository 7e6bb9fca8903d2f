import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CloudContext } from '../context.js';
import { HttpError, sendJson } from '../router.js';
import { parseApiBody } from './body.js';
import { chunkPath, fiiPartLength, listChunks, listCommitted, saveCommitted, type ChunkRecord } from './fii-store.js';
import { enforceSecurity } from './security.js';
import { requireSession, type UploadSession } from './sessions.js';

/**
 * POST /multipart/commit (spec §4.1): the client says every chunk of `part` is up. The server
 * checks that the chunks cover the part contiguously from offset 0 to its end, concatenates
 * them into the committed part and drops the chunks. `size` is the TOTAL file size. Repeating a
 * commit (the answer was lost) is harmless: with no new chunks it answers 200 again.
 */

export const commitBodySchema = z.object({
  apikey: z.string().min(1),
  uri: z.string().min(1),
  region: z.string().min(1),
  upload_id: z.string().min(1),
  part: z.number().int().min(1).max(10_000),
  size: z.number().int().nonnegative(),
  store: z.record(z.string(), z.unknown()).optional(),
  policy: z.string().optional(),
  signature: z.string().optional(),
});

/** The chunks that make up a part, in order, or a 400 naming the first gap. */
export function chainChunks(chunks: ReadonlyMap<number, ChunkRecord>, part: number, partLength: number): ChunkRecord[] {
  const chain: ChunkRecord[] = [];
  let offset = 0;
  while (offset < partLength) {
    const chunk = chunks.get(offset);
    if (!chunk || chunk.size <= 0) {
      throw new HttpError(
        400,
        'IncompleteBody',
        `Part ${part} is missing chunks: the received chunks cover bytes [0, ${offset}) of ${partLength}; nothing starts at offset ${offset}.`,
      );
    }
    chain.push(chunk);
    offset += chunk.size;
  }
  if (offset !== partLength) throw new HttpError(400, 'bad_request', `The chunks of part ${part} add up to ${offset} bytes; the part has ${partLength}.`);
  return chain;
}

export async function handleCommit(req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const body = await parseApiBody(req, commitBodySchema);
  const app = ctx.apps.get(body.apikey);
  if (!app) throw new HttpError(403, 'forbidden', 'Unknown apikey.');
  // Python and Go send no policy on commit (spec §11.2).
  enforceSecurity(app, body, { call: 'pick' }, { optional: true });
  const session = await requireSession(ctx.storage, body);
  let chunkSizes: number[] = [];
  let status = 500;
  try {
    if (session.result) throw new HttpError(400, 'bad_request', 'This upload is already completed.');
    if (!session.fii) throw new HttpError(400, 'unsupported', 'Intelligent ingestion was not granted for this upload.');
    if (body.size !== session.size) {
      throw new HttpError(400, 'bad_request', `size must be the total file size (${session.size} bytes announced at start), got ${body.size}.`);
    }
    chunkSizes = await withPartLock(ctx, `${session.uploadId}/${body.part}`, () => commitPart(ctx, session, body.part));
    status = 200;
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    throw err;
  } finally {
    ctx.hooks.onFii?.({ type: 'commit', uploadId: session.uploadId, part: body.part, chunkSizes, status });
  }
  sendJson(res, 200, { part: body.part, committed: true });
}

/** Assembles one part from its chunks; returns the chunk sizes used (empty for a repeated commit). */
async function commitPart(ctx: CloudContext, session: UploadSession, part: number): Promise<number[]> {
  const partLength = fiiPartLength(session, part);
  const chunks = await listChunks(ctx.storage, session.uploadId, part);
  if (chunks.size === 0) {
    const earlier = (await listCommitted(ctx.storage, session.uploadId)).get(part);
    if (earlier && earlier.size === partLength) return [];
  }
  const chain = chainChunks(chunks, part, partLength);
  const writer = await ctx.storage.createTempWriter();
  try {
    for (const chunk of chain) {
      let seen = 0;
      for await (const piece of createReadStream(chunkPath(ctx.storage, session.uploadId, part, chunk.offset)) as AsyncIterable<Buffer>) {
        seen += piece.length;
        await writer.write(piece);
      }
      if (seen !== chunk.size) throw new HttpError(500, 'internal', `Chunk at offset ${chunk.offset} of part ${part} is damaged on disk.`);
    }
    await saveCommitted(ctx.storage, session.uploadId, part, await writer.finish());
  } catch (err) {
    await writer.discard();
    throw err;
  }
  return chain.map((c) => c.size);
}

/** Serialises commits of the same part (a retried commit may race the original). */
async function withPartLock<T>(ctx: CloudContext, key: string, fn: () => Promise<T>): Promise<T> {
  let locks = ctx.state.get('filestack.fiiCommitLocks') as Map<string, Promise<unknown>> | undefined;
  if (!locks) {
    locks = new Map();
    ctx.state.set('filestack.fiiCommitLocks', locks);
  }
  const next = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
  locks.set(key, next);
  try {
    return await next;
  } finally {
    if (locks.get(key) === next) locks.delete(key);
  }
}
