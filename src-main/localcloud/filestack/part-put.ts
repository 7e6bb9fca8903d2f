import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext } from '../context.js';
import { HttpError, queryOf, sendError } from '../router.js';
import { receiveInto } from './part-receive.js';
import { partOffset } from './part-layout.js';
import { verifyPartUrl } from './presign.js';
import { assertWritable, dataPath, journal, loadSession, sidePath, withLock, type LiveSession } from './sessions.js';

/**
 * PUT /s3/<upload_id>/<part>: the S3 side of a regular multipart upload (spec §3.4). Checks the
 * signature, the signed size and Content-MD5 against the received bytes, stores the part (in
 * place at its final offset when it fits the plan, part-layout.ts) and answers 200 with
 * `ETag: "<md5 hex>"`. Two PUTs of one part take turns; a new copy first invalidates the old one.
 */
export async function handlePartPut(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const uploadId = decodeURIComponent(match[1] ?? '');
  const part = Number(match[2]);
  const startedAt = Date.now();
  const counters = partCounters(ctx);
  counters.inFlight++;
  const inFlightAtStart = counters.inFlight;
  const attemptKey = `${uploadId}/${part}`;
  const attempt = (counters.attempts.get(attemptKey) ?? 0) + 1;
  counters.attempts.set(attemptKey, attempt);
  const contentMd5Header = headerOf(req, 'content-md5');
  let status = 500;
  let computedMd5 = '';
  let bytes = 0;
  try {
    const grant = verifyPartUrl(ctx.signingKey, uploadId, part, queryOf(req), Math.floor(Date.now() / 1000));
    const live = await loadSession(ctx, uploadId);
    if (!live) throw new HttpError(404, 'NoSuchUpload', `Unknown upload_id ${JSON.stringify(uploadId)}.`);
    if (live.session.result) throw new HttpError(404, 'NoSuchUpload', 'This upload is already completed.');
    if (grant.md5 !== null && contentMd5Header !== grant.md5) {
      throw new HttpError(403, 'SignatureDoesNotMatch', 'Content-MD5 header differs from the md5 the URL was signed for.');
    }
    const mutate = ctx.hooks.mutatePartBody;
    await withLock(live, `part:${part}`, async () => {
      assertWritable(live);
      const offset = await prepare(live, part, grant.size);
      const got = await receiveInto(
        req,
        offset === null ? { file: sidePath(live, part), position: 0, truncate: true } : { file: dataPath(live), position: offset, truncate: false },
        grant.size,
        `Part ${part}`,
        mutate ? (body) => mutate({ uploadId, part, attempt }, body) : undefined,
      );
      bytes = got.bytes;
      computedMd5 = Buffer.from(got.md5, 'hex').toString('base64');
      if (bytes !== grant.size) throw new HttpError(400, 'IncompleteBody', `Part ${part} has ${bytes} bytes; the URL was signed for ${grant.size}.`);
      if (contentMd5Header !== null && contentMd5Header !== computedMd5) {
        throw new HttpError(400, 'BadDigest', `The Content-MD5 you specified did not match what we received for part ${part}.`);
      }
      await ctx.hooks.beforePartAnswer?.({ uploadId, part });
      await journal(live, { t: 'part', part, size: bytes, md5: got.md5, offset });
      status = 200;
      res.writeHead(200, { ETag: `"${got.md5}"`, 'Content-Length': 0 });
      res.end();
    });
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    if (err instanceof HttpError) {
      // Drain what the client still sends so it reads our answer instead of a reset.
      req.resume();
      sendError(res, err.status, err.code, err.message);
    } else {
      throw err;
    }
  } finally {
    counters.inFlight--;
    ctx.hooks.onPartPut?.({ uploadId, part, contentMd5Header, computedMd5, bytes, startedAt, endedAt: Date.now(), inFlightAtStart, status });
  }
}

/**
 * Where this copy of `part` goes, after invalidating an earlier copy (its record is dropped
 * before its bytes are overwritten; an FII commit of the same part number is undone).
 */
async function prepare(live: LiveSession, part: number, size: number): Promise<number | null> {
  const s = live.session;
  const offset = partOffset(s.size, s.partSize ?? null, part, size);
  if (live.parts.has(part)) await journal(live, { t: 'drop', part });
  if (live.committed.has(part)) await journal(live, { t: 'uncommit', part });
  return offset;
}

type PartCounters = { inFlight: number; attempts: Map<string, number> };

function partCounters(ctx: CloudContext): PartCounters {
  let c = ctx.state.get('filestack.partCounters') as PartCounters | undefined;
  if (!c) {
    c = { inFlight: 0, attempts: new Map() };
    ctx.state.set('filestack.partCounters', c);
  }
  return c;
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}
