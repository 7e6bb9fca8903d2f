import { createReadStream } from 'node:fs';
import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import type { CompleteBody, PartRef } from './body.js';
import { dropParts, listParts, partPath, saveSession, type CompleteResult, type PartRecord, type UploadSession } from './sessions.js';
import { emitUploadWebhook } from './webhooks-delivery.js';

/**
 * Checks a complete call's parts list against the received parts, concatenates them into a
 * stored file atomically and records the result in the session. Every failure is a 400 with a
 * message naming the problem, so a client can tell what to fix.
 */
export async function assemble(ctx: CloudContext, session: UploadSession, parts: readonly PartRef[], body: CompleteBody): Promise<CompleteResult> {
  return assembleChecked(ctx, session, await checkParts(ctx, session, parts), body);
}

/** Assembles a parts list that checkParts already validated (complete checks it before any 202). */
export function assembleChecked(ctx: CloudContext, session: UploadSession, checked: readonly CheckedPart[], body: CompleteBody): Promise<CompleteResult> {
  const files = checked.map((ref) => partPath(ctx.storage, session.uploadId, ref.part_number));
  return assembleFiles(ctx, session, files, body, checked.map((ref) => ref.size));
}

/** Large reads: a 64 KiB default meant ~16 read + write round trips per MiB copied. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Concatenates already-validated part files (in order) into the stored file; shared with FII
 * (fii-complete.ts). The digests of the stored file are computed while copying, so the bytes are
 * read once. With `sizes`, a part file whose length differs from its record (lost to a power cut:
 * parts are not fsynced) is refused with InvalidPart, so the client re-sends it.
 */
export async function assembleFiles(
  ctx: CloudContext,
  session: UploadSession,
  files: readonly string[],
  body: CompleteBody,
  sizes?: readonly number[],
): Promise<CompleteResult> {
  const writer = await ctx.storage.createTempWriter();
  let finished;
  try {
    for (const [i, file] of files.entries()) {
      let copied = 0;
      for await (const chunk of createReadStream(file, { highWaterMark: COPY_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
        copied += chunk.length;
        await writer.write(chunk);
      }
      const expected = sizes?.[i];
      if (expected !== undefined && copied !== expected) {
        throw new HttpError(400, 'InvalidPart', `Part ${i + 1} holds ${copied} bytes on the server, not the ${expected} it was received with; upload it again.`);
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
    ...(session.storeRegion !== undefined ? { region: session.storeRegion } : {}),
    ...(session.access !== undefined ? { access: session.access } : {}),
    ...(session.workflows !== undefined && session.workflows.length > 0 ? { workflows: session.workflows } : {}),
  });
  const result: CompleteResult = {
    handle: stored.handle,
    url: `${ctx.baseUrl}/${stored.handle}`,
    filename,
    size: stored.size,
    mimetype,
    status: 'Stored',
    // Not in Filestack's answer: lets a client verify without a metadata call (verifyFromComplete).
    md5: stored.md5,
    key: session.key,
    container: session.container,
    upload_tags: body.upload_tags ?? {},
    ...(stored.workflows ? { workflows: stored.workflows } : {}),
  };
  const { pendingParts: _pending, ...rest } = session;
  await saveSession(ctx.storage, { ...rest, result });
  await dropParts(ctx.storage, session.uploadId);
  // Background delivery (spec §9): never delays the complete answer.
  emitUploadWebhook(ctx, stored);
  return result;
}

/** A listed part with the size it was received with. */
export type CheckedPart = PartRef & { readonly size: PartRecord['size'] };

/** Validates a parts list (contiguous 1..N, each received with that ETag, sizes adding up); returns it sorted. */
export async function checkParts(ctx: CloudContext, session: UploadSession, parts: readonly PartRef[]): Promise<CheckedPart[]> {
  const received = await listParts(ctx.storage, session.uploadId);
  const sorted = [...parts].sort((a, b) => a.part_number - b.part_number);
  const checked: CheckedPart[] = [];
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
    checked.push({ ...ref, size: got.size });
  }
  if (total !== session.size) {
    throw new HttpError(400, 'bad_request', `The listed parts hold ${total} bytes but the upload announced ${session.size}.`);
  }
  return checked;
}
