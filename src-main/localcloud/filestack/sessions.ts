import { appendFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import { partRefSchema } from './body.js';

/**
 * Multipart upload sessions. A live session is kept in memory (a request costs no file read)
 * and journalled in `uploads/<upload_id>/` so a restarted server can resume it: `session.json`
 * (start's facts, the part plan once known, the result once completed) and `parts.log`, one JSON
 * line per received part, FII chunk, commit or invalidation (appended; the last line may be torn
 * by a crash and is then ignored). The bytes go into `data`, each part at its final offset
 * (part-layout.ts), or into `<n>.part` when it does not fit the plan.
 */

export const completeResultSchema = z.object({
  handle: z.string(),
  url: z.string(),
  filename: z.string(),
  size: z.number(),
  mimetype: z.string(),
  status: z.string(),
  /** Lowercase hex MD5 of the stored bytes, when complete computed it (a local-cloud addition; Filestack does not send it). */
  md5: z.string().optional(),
  /** S3-style ETag of the received pieces (assemble.ts compositeEtag); a local-cloud addition too. */
  etag: z.string().optional(),
  key: z.string(),
  container: z.string(),
  upload_tags: z.record(z.string(), z.string()).optional(),
  workflows: z.array(z.string()).optional(),
});
export type CompleteResult = z.infer<typeof completeResultSchema>;

export const sessionSchema = z.object({
  uploadId: z.string(),
  apikey: z.string(),
  uri: z.string(),
  region: z.string(),
  filename: z.string(),
  mimetype: z.string(),
  size: z.number(),
  key: z.string(),
  path: z.string().nullable(),
  container: z.string(),
  location: z.string(),
  /** Store options of start (spec §3.6), kept for the stored file; `region` above is the upload's. */
  storeRegion: z.string().optional(),
  access: z.enum(['public', 'private']).optional(),
  workflows: z.array(z.string()).optional(),
  createdAt: z.number(),
  /** Intelligent ingestion was granted at start (chunks + commits, fii-*.ts). */
  fii: z.boolean().optional(),
  /** The plan's part size once part 1 announced it (part-layout.ts); parts that fit it are written in place. */
  partSize: z.number().int().positive().optional(),
  /** Parts list of the first complete call that was answered 202 (reused by `parts: null` polls). */
  pendingParts: z.array(partRefSchema).optional(),
  /** Set once completed; repeated completes answer it again. */
  result: completeResultSchema.optional(),
});
export type UploadSession = z.infer<typeof sessionSchema>;

/** One received part; `md5` is lowercase hex (the ETag without quotes); `offset` null = in its side file. */
export type PartRecord = { readonly part: number; readonly size: number; readonly md5: string; readonly offset: number | null };
/** A committed FII part: its length and its chunks' hex MD5s in order. */
export type CommittedPart = { readonly size: number; readonly md5s: readonly string[] };
/** One received FII chunk, at `offset` inside its part. */
export type ChunkRecord = { readonly part: number; readonly offset: number; readonly size: number; readonly md5: string };

const logLineSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('part'), part: z.number(), size: z.number(), md5: z.string(), offset: z.number().nullable() }),
  z.object({ t: z.literal('drop'), part: z.number() }),
  z.object({ t: z.literal('chunk'), part: z.number(), offset: z.number(), size: z.number(), md5: z.string() }),
  z.object({ t: z.literal('commit'), part: z.number(), size: z.number(), md5s: z.array(z.string()).optional() }),
  z.object({ t: z.literal('uncommit'), part: z.number() }),
]);
type LogLine = z.infer<typeof logLineSchema>;

/** A session in memory: the journalled record plus what was received. */
export type LiveSession = {
  session: UploadSession;
  readonly dir: string;
  readonly parts: Map<number, PartRecord>;
  /** FII: part → chunk offset → chunk. */
  readonly chunks: Map<number, Map<number, ChunkRecord>>;
  /** FII: committed part → its length and the MD5s of the chunks it was committed from, in order. */
  readonly committed: Map<number, CommittedPart>;
  /** Serialises writers of one part (or chunk offset) and the completes of the upload. */
  readonly locks: Map<string, Promise<unknown>>;
  /** session.json writes, in order. */
  persisting: Promise<void>;
  /** A complete is assembling: part and chunk writes are refused (they would land in the stored file). */
  completing: boolean;
};

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function liveMap(ctx: CloudContext): Map<string, LiveSession> {
  let map = ctx.state.get('filestack.sessions') as Map<string, LiveSession> | undefined;
  if (!map) {
    const created = new Map<string, LiveSession>();
    ctx.state.set('filestack.sessions', created);
    // An upload removed from disk (expired, wiped) must not live on in memory.
    ctx.storage.onUploadRemoved((id) => created.delete(id));
    map = created;
  }
  return map;
}

/** The data file that receives the parts in place. */
export const dataPath = (live: LiveSession): string => path.join(live.dir, 'data');
/** The side file of a part that did not fit the plan. */
export const sidePath = (live: LiveSession, part: number): string => path.join(live.dir, `${part}.part`);

function newLive(ctx: CloudContext, session: UploadSession): LiveSession {
  const dir = ctx.storage.uploadDir(session.uploadId);
  return {
    session,
    dir,
    parts: new Map(),
    chunks: new Map(),
    committed: new Map(),
    locks: new Map(),
    persisting: Promise.resolve(),
    completing: false,
  };
}

/** Starts a session: its folder and session.json (not fsynced: a session lost to a power cut answers 404 and the client starts over). */
export async function createSession(ctx: CloudContext, session: UploadSession): Promise<LiveSession> {
  const live = newLive(ctx, session);
  await mkdir(live.dir, { recursive: true });
  await ctx.storage.writeJsonAtomic(path.join(live.dir, 'session.json'), session, { durable: false });
  liveMap(ctx).set(session.uploadId, live);
  return live;
}

/** Replaces the session record and journals it; writes of one session land in call order. */
export function saveSession(live: LiveSession, ctx: CloudContext, next: UploadSession, opts?: { durable?: boolean }): Promise<void> {
  live.session = next;
  const write = live.persisting.then(() => ctx.storage.writeJsonAtomic(path.join(live.dir, 'session.json'), live.session, opts));
  live.persisting = write.catch(() => undefined);
  return write;
}

/** Appends one journal line (not fsynced, like the part bytes it describes). */
export async function journal(live: LiveSession, line: LogLine): Promise<void> {
  apply(live, line);
  await appendFile(path.join(live.dir, 'parts.log'), `${JSON.stringify(line)}\n`);
}

function apply(live: LiveSession, line: LogLine): void {
  switch (line.t) {
    case 'part':
      live.parts.set(line.part, { part: line.part, size: line.size, md5: line.md5, offset: line.offset });
      return;
    case 'drop':
      live.parts.delete(line.part);
      return;
    case 'chunk': {
      const chunks = live.chunks.get(line.part) ?? new Map<number, ChunkRecord>();
      chunks.set(line.offset, { part: line.part, offset: line.offset, size: line.size, md5: line.md5 });
      live.chunks.set(line.part, chunks);
      return;
    }
    case 'commit':
      live.committed.set(line.part, { size: line.size, md5s: line.md5s ?? [] });
      live.chunks.delete(line.part);
      return;
    case 'uncommit':
      live.committed.delete(line.part);
      return;
  }
}

async function loadFromDisk(ctx: CloudContext, uploadId: string): Promise<LiveSession | null> {
  const dir = ctx.storage.uploadDir(uploadId);
  let session: UploadSession;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(await readFile(path.join(dir, 'session.json'), 'utf8')));
    if (!parsed.success) return null;
    session = parsed.data;
  } catch {
    return null;
  }
  const live = newLive(ctx, session);
  const text = await readFile(path.join(dir, 'parts.log'), 'utf8').catch(() => '');
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      const line = logLineSchema.safeParse(JSON.parse(raw));
      if (line.success) apply(live, line.data);
    } catch {
      // A line torn by a crash describes a part the client was never told about.
    }
  }
  return live;
}

/** The live session, read back from disk after a restart; unknown (or malformed) id → null. */
export async function loadSession(ctx: CloudContext, uploadId: string): Promise<LiveSession | null> {
  if (!ID_RE.test(uploadId)) return null;
  const map = liveMap(ctx);
  const known = map.get(uploadId);
  if (known) return known;
  const loaded = await loadFromDisk(ctx, uploadId);
  if (!loaded) return null;
  // Two requests may have raced the load; keep the first.
  const raced = map.get(uploadId);
  if (raced) return raced;
  // A completed session stays on disk only (its result answers repeated completes).
  if (!loaded.session.result) map.set(uploadId, loaded);
  return loaded;
}

/**
 * Loads a session for a call that names it. Unknown upload_id → 404 (S3's NoSuchUpload; the
 * client's session is gone, so it must start over rather than fix its request). A known id
 * with a different apikey/uri/region → 400: the caller mixed up sessions.
 */
export async function requireSession(ctx: CloudContext, keys: { apikey: string; uri: string; region: string; upload_id: string }): Promise<LiveSession> {
  const live = await loadSession(ctx, keys.upload_id);
  if (!live) throw new HttpError(404, 'NoSuchUpload', `Unknown upload_id ${JSON.stringify(keys.upload_id)}.`);
  const s = live.session;
  if (s.apikey !== keys.apikey) throw new HttpError(400, 'bad_request', 'upload_id belongs to another apikey.');
  if (s.uri !== keys.uri) throw new HttpError(400, 'bad_request', 'uri does not match the one returned by /multipart/start.');
  if (s.region !== keys.region) throw new HttpError(400, 'bad_request', 'region does not match the one returned by /multipart/start.');
  return live;
}

/** Runs `fn` after every earlier holder of `key` in this session is done. */
export async function withLock<T>(live: LiveSession, key: string, fn: () => Promise<T>): Promise<T> {
  const next = (live.locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
  live.locks.set(key, next);
  try {
    return await next;
  } finally {
    if (live.locks.get(key) === next) live.locks.delete(key);
  }
}

/**
 * Runs a complete: part and chunk writers already running finish first, later ones are refused
 * (a byte written after the fsync would change the stored file under its MD5). A complete that
 * stores nothing (202, or a 400 the client can fix) lets writes in again.
 */
export async function whileCompleting<T>(live: LiveSession, fn: () => Promise<T>): Promise<T> {
  live.completing = true;
  try {
    const writers = [...live.locks].filter(([k]) => k !== 'complete').map(([, p]) => p.catch(() => undefined));
    await Promise.all(writers);
    return await fn();
  } finally {
    if (!live.session.result) live.completing = false;
  }
}

/** 404 once the upload is completed, 409 while a complete is assembling it (part and chunk writers call this under their lock). */
export function assertWritable(live: LiveSession): void {
  if (live.session.result) throw new HttpError(404, 'NoSuchUpload', 'This upload is already completed.');
  if (live.completing) throw new HttpError(409, 'Conflict', 'This upload is being completed; no more parts are accepted.');
}

/** Forgets a session in memory (its files stay); e.g. once it is completed or expired. */
export function forgetSession(ctx: CloudContext, uploadId: string): void {
  liveMap(ctx).delete(uploadId);
}

/** Drops everything of a completed session but session.json, so completes stay idempotent. */
export async function dropParts(ctx: CloudContext, live: LiveSession): Promise<void> {
  forgetSession(ctx, live.session.uploadId);
  for (const name of await readdir(live.dir).catch(() => [] as string[])) {
    if (name !== 'session.json') await rm(path.join(live.dir, name), { force: true });
  }
}
