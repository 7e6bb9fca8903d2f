import type { IncomingMessage, ServerResponse } from 'node:http';
import { locationUrlOf, type CloudContext, type LocalCloudApp } from '../context.js';
import { HttpError, sendJson } from '../router.js';
import { randomId } from '../storage.js';
import { DEFAULT_STORE_CONTAINER, storageKey } from './store-file.js';
import { storeLocation, storeProblem, uploadTagsProblem, workflowIds } from '../../protocol/filestack/store-params.js';
import { completeBodySchema, parseApiBody, startBodySchema, uploadBodySchema, type CompleteBody, type StoreParams } from './body.js';
import { assembleChecked, checkParts } from './assemble.js';
import { FII_PART_SIZE } from './fii-store.js';
import { partSizeFrom } from './part-layout.js';
import { PART_URL_TTL_SECONDS, signPartUrl } from './presign.js';
import { completeIntelligent } from './fii-complete.js';
import { answerChunkUpload } from './fii-upload.js';
import { enforceSecurity } from './security.js';
import { createSession, requireSession, saveSession, whileCompleting, withLock, type CompleteResult, type LiveSession, type UploadSession } from './sessions.js';

/** Region the emulator reports; clients only echo it back. */
export const LOCAL_REGION = 'local-1';

function requireApp(ctx: CloudContext, apikey: string): LocalCloudApp {
  const app = ctx.apps.get(apikey);
  // 403 like Filestack for an apikey it does not know: the request is well-formed but not allowed.
  if (!app) throw new HttpError(403, 'forbidden', 'Unknown apikey.');
  return app;
}

/** The request's store object, refused with 400 when a field is not one Filestack takes (spec §3.6). */
export function checkedStore(store: StoreParams | undefined): StoreParams {
  const problem = storeProblem(store);
  if (problem !== null) throw new HttpError(400, 'bad_request', problem);
  return store ?? {};
}

/** POST /multipart/start (spec §3.2). FII is granted only when the app allows it and the client asks (`fii` / form `multipart=true`). */
export async function handleStart(req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const body = await parseApiBody(req, startBodySchema);
  const app = requireApp(ctx, body.apikey);
  const store = checkedStore(body.store);
  const uploadId = randomId(32);
  const container = store.container ?? DEFAULT_STORE_CONTAINER;
  const storePath = store.path ?? null;
  const key = storageKey(storePath, body.filename);
  // A policy's path and container rules apply to where the file really lands: without a path the
  // random key must match too, so leaving `store.path` out cannot step around the rule.
  enforceSecurity(app, body, { call: 'pick', size: body.size, path: key, container });
  // Abandoned sessions must not fill the disk: room is made (or refused, 507) before any part arrives.
  await ctx.sessionGc.reserve(body.size);
  const session: UploadSession = {
    uploadId,
    apikey: body.apikey,
    uri: `/${container}/${key}`,
    region: LOCAL_REGION,
    filename: body.filename,
    mimetype: body.mimetype ?? 'application/octet-stream',
    size: body.size,
    key,
    path: storePath,
    container,
    location: storeLocation(store.location ?? 's3') ?? 's3',
    ...(store.region !== undefined ? { storeRegion: store.region } : {}),
    ...(store.access !== undefined ? { access: store.access } : {}),
    ...(store.workflows !== undefined ? { workflows: workflowIds(store.workflows) ?? [] } : {}),
    createdAt: Date.now(),
    // FII parts (and the fallback's regular parts) are 8 MiB by definition (spec §4.1).
    ...(body.fii === true && app.intelligentIngestion === true ? { fii: true, partSize: FII_PART_SIZE } : {}),
  };
  await createSession(ctx, session);
  // location_url: a full URL over plain HTTP (clients would add https:// to a bare host), a bare
  // host[:port] over TLS as the real service answers (spec §3.1).
  sendJson(res, 200, {
    uri: session.uri,
    region: session.region,
    upload_id: uploadId,
    location_url: locationUrlOf(ctx),
    ...(session.fii ? { upload_type: 'intelligent_ingestion' } : {}),
  });
}

/** POST /multipart/upload (spec §3.3): hands out a presigned PUT URL and the headers to send. */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const body = await parseApiBody(req, uploadBodySchema);
  enforceSecurity(requireApp(ctx, body.apikey), body, { call: 'pick' }, { optional: true });
  const live = await requireSession(ctx, body);
  const session = live.session;
  if (session.result) throw new HttpError(400, 'bad_request', 'This upload is already completed.');
  if (body.fii === true) return answerChunkUpload(res, ctx, session, body);
  // Part 1 fixes the plan's part size; parts that fit it are written in place (part-layout.ts).
  const planned = session.partSize === undefined ? partSizeFrom(session.size, body.part, body.size) : null;
  if (planned !== null) await saveSession(live, ctx, { ...live.session, partSize: planned }, { durable: false });
  if (body.md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(body.md5)) {
    throw new HttpError(400, 'bad_request', 'md5 must be the base64 MD5 digest of the part (24 characters).');
  }
  const md5 = body.md5 ?? null;
  const url = signPartUrl(ctx.baseUrl, ctx.signingKey, {
    uploadId: session.uploadId,
    part: body.part,
    size: body.size,
    md5,
    expires: Math.floor(Date.now() / 1000) + PART_URL_TTL_SECONDS,
  });
  sendJson(res, 200, { url, headers: md5 !== null ? { 'Content-MD5': md5 } : {}, location_url: locationUrlOf(ctx) });
}

/**
 * POST /multipart/complete (spec §3.5). Idempotent: a repeated complete answers the stored
 * result. Serialised per upload so two racing completes assemble once.
 */
export async function handleComplete(req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const body = await parseApiBody(req, completeBodySchema);
  enforceSecurity(requireApp(ctx, body.apikey), body, { call: 'pick', size: body.size });
  const tagsProblem = uploadTagsProblem(body.upload_tags);
  if (tagsProblem !== null) throw new HttpError(400, 'bad_request', tagsProblem);
  // Python sends workflows on complete only (spec §3.5): they count even when start had none.
  const completeWorkflows = workflowIds(checkedStore(body.store).workflows ?? null);
  const live = await requireSession(ctx, body);
  // Checked under the lock: a racing complete may have finished it.
  const result = await withLock(live, 'complete', () =>
    live.session.result ? Promise.resolve(live.session.result) : whileCompleting(live, () => completeUpload(ctx, live, body, completeWorkflows)),
  );
  if (result === null) {
    res.writeHead(202, { 'Content-Length': 0 });
    res.end();
    return;
  }
  sendJson(res, 200, result);
}

/** One complete of a session not completed yet: null = answer 202 (test hook), else the stored file. */
async function completeUpload(ctx: CloudContext, live: LiveSession, body: CompleteBody, completeWorkflows: string[] | null): Promise<CompleteResult | null> {
  const loaded = live.session;
  const session = completeWorkflows !== null && completeWorkflows.length > 0 ? { ...loaded, workflows: completeWorkflows } : loaded;
  if (body.size !== session.size) {
    throw new HttpError(400, 'bad_request', `size ${body.size} differs from the ${session.size} bytes announced at start.`);
  }
  const accept202 = (): boolean => countCompleteCall(ctx, session.uploadId) <= (ctx.hooks.completeAccepts202 ?? 0);
  if (body.fii === true && session.fii) return completeIntelligent(ctx, live, session, body, accept202);
  const parts = body.parts ?? session.pendingParts;
  if (body.fii === true && !parts) throw new HttpError(400, 'unsupported', 'Intelligent ingestion was not granted for this upload.');
  if (!parts || parts.length === 0) throw new HttpError(400, 'bad_request', 'parts is required for a regular multipart upload.');
  // Validate before any 202 so a bad list fails at once instead of after the client's polling.
  const checked = checkParts(live, parts);
  if (accept202()) {
    await saveSession(live, ctx, { ...live.session, pendingParts: parts });
    return null;
  }
  return assembleChecked(ctx, live, session, checked, body);
}

function countCompleteCall(ctx: CloudContext, uploadId: string): number {
  let counts = ctx.state.get('filestack.completeCalls') as Map<string, number> | undefined;
  if (!counts) {
    counts = new Map();
    ctx.state.set('filestack.completeCalls', counts);
  }
  const n = (counts.get(uploadId) ?? 0) + 1;
  counts.set(uploadId, n);
  return n;
}
