import type { IncomingMessage, ServerResponse } from 'node:http';
import { locationUrlOf, type CloudContext } from '../context.js';
import { HttpError, queryOf, sendError, sendJson } from '../router.js';
import type { UploadBody } from './body.js';
import { fiiPartLength, fiiPosition, signChunkUrl, verifyChunkUrl } from './fii-store.js';
import { receiveInto } from './part-receive.js';
import { PART_URL_TTL_SECONDS } from './presign.js';
import { assertWritable, dataPath, journal, loadSession, withLock, type UploadSession } from './sessions.js';

/**
 * FII chunk calls (spec §4.1): /multipart/upload with `fii: true` + `offset` presigns a PUT for
 * one chunk of a part (size and md5 describe the chunk), and that PUT stores the chunk.
 */

/** /multipart/upload with `fii: true` (called by multipart.ts once the session is loaded). */
export function answerChunkUpload(res: ServerResponse, ctx: CloudContext, session: UploadSession, body: UploadBody): void {
  if (!session.fii) throw new HttpError(400, 'unsupported', 'Intelligent ingestion was not granted for this upload.');
  if (body.offset === undefined) throw new HttpError(400, 'bad_request', 'offset is required for an intelligent-ingestion chunk.');
  if (body.size < 1) throw new HttpError(400, 'bad_request', 'A chunk must hold at least one byte.');
  const partLength = fiiPartLength(session, body.part);
  if (body.offset + body.size > partLength) {
    throw new HttpError(400, 'bad_request', `Chunk [${body.offset}, ${body.offset + body.size}) runs past the end of part ${body.part} (${partLength} bytes).`);
  }
  if (body.md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(body.md5)) {
    throw new HttpError(400, 'bad_request', 'md5 must be the base64 MD5 digest of the chunk (24 characters).');
  }
  const md5 = body.md5 ?? null;
  const url = signChunkUrl(ctx.baseUrl, ctx.signingKey, {
    uploadId: session.uploadId,
    part: body.part,
    offset: body.offset,
    size: body.size,
    md5,
    expires: Math.floor(Date.now() / 1000) + PART_URL_TTL_SECONDS,
  });
  sendJson(res, 200, { url, headers: md5 !== null ? { 'Content-MD5': md5 } : {}, location_url: locationUrlOf(ctx) });
}

/**
 * PUT /s3/<upload_id>/<part>/<offset>: stores one chunk, in place in the data file, after
 * checking the signature, the signed size and Content-MD5. A body cut short (client reset) is
 * never recorded. Writes to one part take turns; a chunk written into a committed part undoes
 * the commit (the part must be committed again).
 */
export async function handleChunkPut(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const uploadId = decodeURIComponent(match[1] ?? '');
  const part = Number(match[2]);
  const offset = Number(match[3]);
  let status = 500;
  let bytes = 0;
  let size = Number(queryOf(req).get('size'));
  try {
    const grant = verifyChunkUrl(ctx.signingKey, { uploadId, part, offset }, queryOf(req), Math.floor(Date.now() / 1000));
    size = grant.size;
    const live = await loadSession(ctx, uploadId);
    if (!live || live.session.result) throw new HttpError(404, 'NoSuchUpload', `Unknown or completed upload_id ${JSON.stringify(uploadId)}.`);
    const contentMd5 = typeof req.headers['content-md5'] === 'string' ? req.headers['content-md5'] : null;
    if (grant.md5 !== null && contentMd5 !== grant.md5) {
      throw new HttpError(403, 'SignatureDoesNotMatch', 'Content-MD5 header differs from the md5 the URL was signed for.');
    }
    await withLock(live, `part:${part}`, async () => {
      assertWritable(live);
      const position = fiiPosition(part, offset);
      if (live.committed.has(part)) await journal(live, { t: 'uncommit', part });
      // The writer's MD5 is the chunk's digest, as for a regular part: one hash pass.
      const got = await receiveInto(req, { file: dataPath(live), position, truncate: false }, grant.size, 'Chunk');
      bytes = got.bytes;
      if (bytes !== grant.size) throw new HttpError(400, 'IncompleteBody', `Chunk has ${bytes} bytes; the URL was signed for ${grant.size}.`);
      if (contentMd5 !== null && contentMd5 !== Buffer.from(got.md5, 'hex').toString('base64')) {
        throw new HttpError(400, 'BadDigest', `The Content-MD5 you specified did not match what we received for part ${part} at offset ${offset}.`);
      }
      await journal(live, { t: 'chunk', part, offset, size: bytes, md5: got.md5 });
      status = 200;
      // FII needs no ETag (spec §4.1); S3-minded clients get the chunk's MD5 anyway.
      res.writeHead(200, { ETag: `"${got.md5}"`, 'Content-Length': 0 });
      res.end();
    });
  } catch (err) {
    if (err instanceof HttpError) {
      status = err.status;
      req.resume();
      sendError(res, err.status, err.code, err.message);
    } else if (!req.complete || req.destroyed) {
      // The client went away mid-body (a reset): nothing was recorded, nobody to answer.
      status = 499;
    } else {
      throw err;
    }
  } finally {
    ctx.hooks.onFii?.({ type: 'chunk', uploadId, part, offset, size, bytes, status });
  }
}
