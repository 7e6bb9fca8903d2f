import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { CloudContext } from '../context.js';
import { positionalSink } from '../file-sink.js';
import { HttpError } from '../router.js';
import type { CompleteBody, PartRef } from './body.js';
import { trueOffsets } from './part-layout.js';
import { dataPath, dropParts, saveSession, sidePath, type CompleteResult, type LiveSession, type PartRecord, type UploadSession } from './sessions.js';
import { emitUploadWebhook } from './webhooks-delivery.js';

/**
 * Completes an upload whose parts are validated: normally every part already sits at its offset
 * in the data file, so complete is fsync + rename + metadata — no read, no copy, no hash. Its
 * answer carries the composite ETag of the part MD5s (each checked as it arrived), which is what
 * the client verifies; the whole file's MD5 is left to the first reader that asks for it
 * (storage.md5Of: File API `md5`). Parts that did not fit the plan (side files, another part
 * size) make it build the file by copying, hashing as it goes, since the copy reads every byte
 * anyway. Every failure is a 400 with a message naming the problem, so a client can tell what to fix.
 */

/**
 * One stretch of the final file, where its bytes are now, and the hex MD5s it was received with
 * (one for a part, one per chunk for a committed FII part).
 */
export type Piece = { readonly size: number; readonly at: { readonly offset: number } | { readonly file: string }; readonly md5s: readonly string[] };

/** A listed part with the record it was received with. */
export type CheckedPart = PartRef & { readonly record: PartRecord };

/** The piece a received part record is. */
export function pieceOf(live: LiveSession, r: PartRecord): Piece {
  return { size: r.size, at: r.offset === null ? { file: sidePath(live, r.part) } : { offset: r.offset }, md5s: [r.md5] };
}

/**
 * The S3-style multipart ETag of the pieces: hex MD5 of their MD5s (raw, in file order), `-` and
 * their count. A client that kept the MD5s it sent checks its upload with it without hashing the
 * whole file again (providers/filestack/verify.ts).
 */
export function compositeEtag(pieces: readonly Piece[]): string {
  const all = pieces.flatMap((p) => p.md5s);
  const h = createHash('md5');
  for (const m of all) h.update(Buffer.from(m, 'hex'));
  return `${h.digest('hex')}-${all.length}`;
}

/** Assembles a parts list that checkParts already validated (complete checks it before any 202). */
export function assembleChecked(ctx: CloudContext, live: LiveSession, session: UploadSession, checked: readonly CheckedPart[], body: CompleteBody): Promise<CompleteResult> {
  return assemblePieces(ctx, live, session, checked.map((c) => pieceOf(live, c.record)), body);
}

/** Bytes per copy step on the slow path. */
const COPY_BYTES = 1024 * 1024;

/** Builds `<dir>/assembled` from pieces in order (the slow path); returns its MD5. */
async function copyPieces(live: LiveSession, pieces: readonly Piece[], into: string): Promise<string> {
  const hash = createHash('md5');
  const out = await open(into, 'w');
  const sink = positionalSink(out, 0);
  const data = dataPath(live);
  try {
    for (const [i, piece] of pieces.entries()) {
      const src = await open('file' in piece.at ? piece.at.file : data, 'r');
      try {
        const start = 'offset' in piece.at ? piece.at.offset : 0;
        for (let done = 0; done < piece.size; ) {
          const buf = Buffer.allocUnsafe(Math.min(COPY_BYTES, piece.size - done));
          const { bytesRead } = await src.read(buf, 0, buf.length, start + done);
          if (bytesRead === 0) throw new HttpError(400, 'InvalidPart', `Part ${i + 1} holds ${done} bytes on the server, not the ${piece.size} it was received with; upload it again.`);
          const got = buf.subarray(0, bytesRead);
          hash.update(got);
          await sink.write(got);
          done += bytesRead;
        }
      } finally {
        await src.close();
      }
    }
    await sink.end();
    await out.sync();
  } finally {
    await sink.end().catch(() => undefined);
    await out.close();
  }
  return hash.digest('hex');
}

/** fsyncs the data file at its final length. */
async function syncData(file: string, total: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.truncate(total);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes `pieces` (in order, adding up to the session's size) the stored file; shared with FII (fii-complete.ts). */
export async function assemblePieces(ctx: CloudContext, live: LiveSession, session: UploadSession, pieces: readonly Piece[], body: CompleteBody): Promise<CompleteResult> {
  const total = session.size;
  const offsets = trueOffsets(pieces.map((p) => p.size));
  const inPlace = pieces.every((p, i) => 'offset' in p.at && p.at.offset === offsets[i]);
  let file: string;
  // '' = not hashed here (storage keeps no MD5 until someone asks).
  let md5 = '';
  if (inPlace) {
    file = dataPath(live);
    await syncData(file, total);
  } else {
    file = path.join(live.dir, 'assembled');
    md5 = await copyPieces(live, pieces, file);
  }
  const filename = body.filename ?? session.filename;
  const mimetype = body.mimetype ?? session.mimetype;
  const etag = compositeEtag(pieces);
  const stored = await ctx.storage.commit(
    { path: file, size: total, md5, sha256: '', synced: true },
    {
      etag,
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
    },
  );
  const result: CompleteResult = {
    handle: stored.handle,
    url: `${ctx.baseUrl}/${stored.handle}`,
    filename,
    size: stored.size,
    mimetype,
    status: 'Stored',
    // Not in Filestack's answer: lets a client verify without a metadata call (verifyFromEtag);
    // the MD5 only when the slow path computed it anyway.
    ...(stored.md5 !== undefined ? { md5: stored.md5 } : {}),
    etag,
    key: session.key,
    container: session.container,
    upload_tags: body.upload_tags ?? {},
    ...(stored.workflows ? { workflows: stored.workflows } : {}),
  };
  const { pendingParts: _pending, ...rest } = session;
  await saveSession(live, ctx, { ...rest, result });
  await dropParts(ctx, live);
  // Background delivery (spec §9): never delays the complete answer.
  emitUploadWebhook(ctx, stored);
  return result;
}

/** Validates a parts list (contiguous 1..N, each received with that ETag, sizes adding up); returns it sorted. */
export function checkParts(live: LiveSession, parts: readonly PartRef[]): CheckedPart[] {
  const sorted = [...parts].sort((a, b) => a.part_number - b.part_number);
  const checked: CheckedPart[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const ref = sorted[i];
    if (!ref) continue;
    if (ref.part_number !== i + 1) {
      throw new HttpError(400, 'InvalidPartOrder', `parts must be numbered 1..${sorted.length} without gaps or repeats; found ${ref.part_number} at position ${i + 1}.`);
    }
    const record = receivedPart(live, ref);
    total += record.size;
    checked.push({ ...ref, record });
  }
  if (total !== live.session.size) {
    throw new HttpError(400, 'bad_request', `The listed parts hold ${total} bytes but the upload announced ${live.session.size}.`);
  }
  return checked;
}

/** The record of a listed part, checked against its ETag; 400 InvalidPart when there is none or it differs. */
export function receivedPart(live: LiveSession, ref: PartRef): PartRecord {
  const got = live.parts.get(ref.part_number);
  if (!got) throw new HttpError(400, 'InvalidPart', `Part ${ref.part_number} was never uploaded (or its upload failed).`);
  const etag = ref.etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  if (etag !== got.md5) throw new HttpError(400, 'InvalidPart', `ETag of part ${ref.part_number} does not match the uploaded part.`);
  return got;
}
