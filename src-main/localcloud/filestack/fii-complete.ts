import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import { assembleFiles } from './assemble.js';
import type { CompleteBody, PartRef } from './body.js';
import { committedPath, listCommitted } from './fii-store.js';
import { listParts, partPath, saveSession, type CompleteResult, type UploadSession } from './sessions.js';

/**
 * /multipart/complete with `fii: true` on a session that was granted FII (spec §4.1, §11.4).
 * Pure FII sends no `parts`: the file is assembled from the committed parts. The JS fallback
 * (§4.3) also lists the parts it sent the regular way; those are merged in by number (a listed
 * part wins over a committed one of the same number, since the client names it explicitly).
 * Either way parts must run 1..N without gaps and add up to the announced size.
 */

type Plan = { files: string[]; committed: number[]; listed: number[] };

async function planParts(ctx: CloudContext, session: UploadSession, listedRefs: readonly PartRef[]): Promise<Plan> {
  const committed = await listCommitted(ctx.storage, session.uploadId);
  const received = await listParts(ctx.storage, session.uploadId);
  const listed = new Map<number, number>();
  for (const ref of listedRefs) {
    const got = received.get(ref.part_number);
    if (!got) throw new HttpError(400, 'InvalidPart', `Part ${ref.part_number} was never uploaded (or its upload failed).`);
    const etag = ref.etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (etag !== got.md5) throw new HttpError(400, 'InvalidPart', `ETag of part ${ref.part_number} does not match the uploaded part.`);
    listed.set(ref.part_number, got.size);
  }
  const last = Math.max(0, ...committed.keys(), ...listed.keys());
  if (last === 0) throw new HttpError(400, 'bad_request', 'No part has been committed yet: send /multipart/commit for every part before complete.');
  const plan: Plan = { files: [], committed: [], listed: [] };
  let total = 0;
  for (let n = 1; n <= last; n++) {
    const listedSize = listed.get(n);
    const part = committed.get(n);
    if (listedSize !== undefined) {
      plan.files.push(partPath(ctx.storage, session.uploadId, n));
      plan.listed.push(n);
      total += listedSize;
    } else if (part) {
      plan.files.push(committedPath(ctx.storage, session.uploadId, n));
      plan.committed.push(n);
      total += part.size;
    } else {
      throw new HttpError(400, 'InvalidPart', `Part ${n} was neither committed (/multipart/commit) nor listed in parts.`);
    }
  }
  if (total !== session.size) {
    throw new HttpError(400, 'bad_request', `The committed and listed parts hold ${total} bytes but the upload announced ${session.size}; commit the missing parts first.`);
  }
  return plan;
}

/**
 * Completes an FII upload; null means "answer 202" (`accept202` decides, as in regular mode).
 * Validation runs before any 202 so a bad request fails at once.
 */
export async function completeIntelligent(ctx: CloudContext, session: UploadSession, body: CompleteBody, accept202: () => boolean): Promise<CompleteResult | null> {
  const refs = body.parts ?? session.pendingParts ?? [];
  let status = 500;
  let plan: Plan | null = null;
  try {
    plan = await planParts(ctx, session, refs);
    if (accept202()) {
      if (body.parts) await saveSession(ctx.storage, { ...session, pendingParts: body.parts });
      status = 202;
      return null;
    }
    const result = await assembleFiles(ctx, session, plan.files, body);
    status = 200;
    return result;
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    throw err;
  } finally {
    ctx.hooks.onFii?.({ type: 'complete', uploadId: session.uploadId, committedParts: plan?.committed ?? [], listedParts: plan?.listed ?? [], status });
  }
}
