import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import { assemblePieces, pieceOf, receivedPart, type Piece } from './assemble.js';
import type { CompleteBody, PartRef } from './body.js';
import { fiiPosition } from './fii-store.js';
import { saveSession, type CompleteResult, type LiveSession, type UploadSession } from './sessions.js';

/**
 * /multipart/complete with `fii: true` on a session that was granted FII (spec §4.1, §11.4).
 * Pure FII sends no `parts`: the file is the committed parts, already in place. The JS fallback
 * (§4.3) also lists the parts it sent the regular way; those are merged in by number (a listed
 * part wins over a committed one of the same number, since the client names it explicitly).
 * Either way parts must run 1..N without gaps and add up to the announced size.
 */

type Plan = { pieces: Piece[]; committed: number[]; listed: number[] };

function planParts(live: LiveSession, listedRefs: readonly PartRef[]): Plan {
  const listed = new Map(listedRefs.map((ref) => [ref.part_number, receivedPart(live, ref)] as const));
  const last = Math.max(0, ...live.committed.keys(), ...listed.keys());
  if (last === 0) throw new HttpError(400, 'bad_request', 'No part has been committed yet: send /multipart/commit for every part before complete.');
  const plan: Plan = { pieces: [], committed: [], listed: [] };
  let total = 0;
  for (let n = 1; n <= last; n++) {
    const record = listed.get(n);
    const committed = live.committed.get(n);
    if (record) {
      plan.pieces.push(pieceOf(live, record));
      plan.listed.push(n);
      total += record.size;
    } else if (committed !== undefined) {
      plan.pieces.push({ size: committed.size, at: { offset: fiiPosition(n, 0) }, md5s: committed.md5s });
      plan.committed.push(n);
      total += committed.size;
    } else {
      throw new HttpError(400, 'InvalidPart', `Part ${n} was neither committed (/multipart/commit) nor listed in parts.`);
    }
  }
  if (total !== live.session.size) {
    throw new HttpError(400, 'bad_request', `The committed and listed parts hold ${total} bytes but the upload announced ${live.session.size}; commit the missing parts first.`);
  }
  return plan;
}

/**
 * Completes an FII upload; null means "answer 202" (`accept202` decides, as in regular mode).
 * Validation runs before any 202 so a bad request fails at once.
 */
export async function completeIntelligent(
  ctx: CloudContext,
  live: LiveSession,
  session: UploadSession,
  body: CompleteBody,
  accept202: () => boolean,
): Promise<CompleteResult | null> {
  const refs = body.parts ?? session.pendingParts ?? [];
  let status = 500;
  let plan: Plan | null = null;
  try {
    plan = planParts(live, refs);
    if (accept202()) {
      if (body.parts) await saveSession(live, ctx, { ...live.session, pendingParts: body.parts });
      status = 202;
      return null;
    }
    const result = await assemblePieces(ctx, live, session, plan.pieces, body);
    status = 200;
    return result;
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    throw err;
  } finally {
    ctx.hooks.onFii?.({ type: 'complete', uploadId: session.uploadId, committedParts: plan?.committed ?? [], listedParts: plan?.listed ?? [], status });
  }
}
