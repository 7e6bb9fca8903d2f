import { createReadStream } from 'node:fs';
import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import type { CompleteBody, PartRef } from './body.js';
import { dropParts, listParts, partPath, saveSession, type CompleteResult, type UploadSession } from './sessions.js';
import { emitUploadWebhook } from './webhooks-delivery.js';

/**
 * Checks a complete call's parts list against the received parts, concatenates them into a
 * stored file atomically and records the result in the session. Every failure is a 400 with a
 * message naming the problem, so a client can tell what to fix.
 */
export async function assemble(ctx: CloudContext, session: UploadSession, parts: readonly PartRef[], body: CompleteBody): Promise<CompleteResult> {
  const sorted = await checkParts(ctx, session, parts);
  return assembleFiles(ctx, session, sorted.map((ref) => partPath(ctx.storage, session.uploadId, ref.part_number)), body);
}

/** Concatenates already-validated part files (in order) into the stored file; shared with FII (fii-complete.ts). */
export async function assembleFiles(ctx: CloudContext, session: UploadSession, files: readonly string[], body: CompleteBody): Promise<CompleteResult> {
  const writer = await ctx.storage.createTempWriter();
  let finished;
  try {
    for (const file of files) {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        await writer.write(chunk);
      }
    }
    finished = await writer.finish();
  } catch (err) {
    await writer.discard();
    throw err;
  }
  const filename = body.filename ?? session.filename;
  const mimetype = body.mimetype ?? session.mimetype;
  const stored = await ctx.storage.commit(finished, {
    filename,
    mimetype,
    apikey: session.apikey,
    key: session.key,
    path: session.path,
    container: session.container,
    location: session.location,
    ...(body.upload_tags ? { uploadTags: body.upload_tags } : {}),
  });
  const result: CompleteResult = {
    handle: stored.handle,
    url: `${ctx.baseUrl}/${stored.handle}`,
    filename,
    size: stored.size,
    mimetype,
    status: 'Stored',
    key: session.key,
    container: session.container,
    upload_tags: body.upload_tags ?? {},
  };
  const { pendingParts: _pending, ...rest } = session;
  await saveSession(ctx.storage, { ...rest, result });
  await dropParts(ctx.storage, session.uploadId);
  // Background delivery (spec §9): never delays the complete answer.
  emitUploadWebhook(ctx, stored);
  return result;
}

/** Validates a parts list (contiguous 1..N, each received with that ETag, sizes adding up); returns it sorted. */
export async function checkParts(ctx: CloudContext, session: UploadSession, parts: readonly PartRef[]): Promise<PartRef[]> {
  const received = await listParts(ctx.storage, session.uploadId);
  const sorted = [...parts].sort((a, b) => a.part_number - b.part_number);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const ref = sorted[i];
    if (!ref) continue;
    if (ref.part_number !== i + 1) {
      throw new HttpError(400, 'InvalidPartOrder', `parts must be numbered 1..${sorted.length} without gaps or repeats; found ${ref.part_number} at position ${i + 1}.`);
    }
    const got = received.get(ref.part_number);
    if (!got) throw new HttpError(400, 'InvalidPart', `Part ${ref.part_number} was never uploaded (or its upload failed).`);
    const etag = ref.etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (etag !== got.md5) throw new HttpError(400, 'InvalidPart', `ETag of part ${ref.part_number} does not match the uploaded part.`);
    total += got.size;
  }
  if (total !== session.size) {
    throw new HttpError(400, 'bad_request', `The listed parts hold ${total} bytes but the upload announced ${session.size}.`);
  }
  return sorted;
}
