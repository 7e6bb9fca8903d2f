import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext } from '../context.js';
import { HttpError, queryOf, sendError } from '../router.js';
import type { TempWriter } from '../storage.js';
import { verifyPartUrl } from './presign.js';
import { loadSession, savePart } from './sessions.js';

/**
 * PUT /s3/<upload_id>/<part>: the S3 side of a regular multipart upload (spec §3.4). Checks the
 * signature, the signed size and Content-MD5 against the received bytes, stores the part and
 * answers 200 with `ETag: "<md5 hex>"`.
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
  let writer: TempWriter | null = null;
  try {
    const grant = verifyPartUrl(ctx.signingKey, uploadId, part, queryOf(req), Math.floor(Date.now() / 1000));
    const session = await loadSession(ctx.storage, uploadId);
    if (!session) throw new HttpError(404, 'NoSuchUpload', `Unknown upload_id ${JSON.stringify(uploadId)}.`);
    if (session.result) throw new HttpError(404, 'NoSuchUpload', 'This upload is already completed.');
    if (grant.md5 !== null && contentMd5Header !== grant.md5) {
      throw new HttpError(403, 'SignatureDoesNotMatch', 'Content-MD5 header differs from the md5 the URL was signed for.');
    }
    // The writer's MD5 is the part's digest: one hash pass, and no SHA-256 for a scratch part.
    writer = await ctx.storage.createTempWriter({ sha256: false });
    const mutate = ctx.hooks.mutatePartBody;
    if (mutate) {
      // Test-only path: buffer the part so the hook can change it as "received in transit".
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = mutate({ uploadId, part, attempt }, Buffer.concat(chunks));
      bytes = body.length;
      await writer.write(body);
    } else {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > grant.size) throw new HttpError(400, 'EntityTooLarge', `Part ${part} is larger than the ${grant.size} bytes it was signed for.`);
        await writer.write(chunk);
      }
    }
    const finished = await writer.finish();
    computedMd5 = Buffer.from(finished.md5, 'hex').toString('base64');
    if (bytes !== grant.size) {
      throw new HttpError(400, 'IncompleteBody', `Part ${part} has ${bytes} bytes; the URL was signed for ${grant.size}.`);
    }
    if (contentMd5Header !== null && contentMd5Header !== computedMd5) {
      throw new HttpError(400, 'BadDigest', `The Content-MD5 you specified did not match what we received for part ${part}.`);
    }
    await ctx.hooks.beforePartAnswer?.({ uploadId, part });
    const record = await savePart(ctx.storage, uploadId, part, finished);
    writer = null;
    status = 200;
    res.writeHead(200, { ETag: `"${record.md5}"`, 'Content-Length': 0 });
    res.end();
  } catch (err) {
    await writer?.discard();
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
