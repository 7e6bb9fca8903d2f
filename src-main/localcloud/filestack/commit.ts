import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CloudContext } from '../context.js';
import { HttpError, sendJson } from '../router.js';
import { parseApiBody } from './body.js';
import { fiiPartLength } from './fii-store.js';
import { enforceSecurity } from './security.js';
import { assertWritable, journal, requireSession, withLock, type ChunkRecord, type LiveSession } from './sessions.js';

/**
 * POST /multipart/commit (spec §4.1): the client says every chunk of `part` is up. The server
 * checks that the chunks cover the part contiguously from offset 0 to its end and records the
 * commit; the bytes are already in place (fii-upload.ts), so nothing is copied or re-hashed
 * here. `size` is the TOTAL file size. Repeating a commit (the answer was lost) is harmless.
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
  const live = await requireSession(ctx, body);
  const session = live.session;
  let chunkSizes: number[] = [];
  let status = 500;
  try {
    if (session.result) throw new HttpError(400, 'bad_request', 'This upload is already completed.');
    if (!session.fii) throw new HttpError(400, 'unsupported', 'Intelligent ingestion was not granted for this upload.');
    if (body.size !== session.size) {
      throw new HttpError(400, 'bad_request', `size must be the total file size (${session.size} bytes announced at start), got ${body.size}.`);
    }
    chunkSizes = await withLock(live, `part:${body.part}`, () => commitPart(live, body.part));
    status = 200;
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    throw err;
  } finally {
    ctx.hooks.onFii?.({ type: 'commit', uploadId: session.uploadId, part: body.part, chunkSizes, status });
  }
  sendJson(res, 200, { part: body.part, committed: true });
}

/** Records one part as committed; returns the chunk sizes used (empty for a repeated commit). */
async function commitPart(live: LiveSession, part: number): Promise<number[]> {
  assertWritable(live);
  const partLength = fiiPartLength(live.session, part);
  const chunks = live.chunks.get(part) ?? new Map<number, ChunkRecord>();
  if (chunks.size === 0 && live.committed.get(part)?.size === partLength) return [];
  const chain = chainChunks(chunks, part, partLength);
  await journal(live, { t: 'commit', part, size: partLength, md5s: chain.map((c) => c.md5) });
  return chain.map((c) => c.size);
}
