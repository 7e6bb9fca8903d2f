/**
 * A/V conversion jobs (spec §8). A job is keyed on apikey + canonical params + source handle, so
 * requesting the same `video_convert` URL again reports the same job. Status only moves forward:
 * pending → started → completed | failed. Jobs live in memory only: a restarted local cloud
 * forgets them (the converted files themselves are ordinary stored files and survive), and a
 * request after a restart simply starts a new conversion.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { FfmpegError, runFfmpeg } from '../ffmpeg.js';
import type { StoredFile } from '../storage.js';
import { planConversion } from './av-params.js';
import { emitWebhook } from './webhooks-delivery.js';

/** Job states, in the only order they may be reached. */
export type AvStatus = 'pending' | 'started' | 'completed' | 'failed';
const RANK: Readonly<Record<AvStatus, number>> = { pending: 0, started: 1, completed: 2, failed: 2 };

/** The JSON answer of a `video_convert` request (the docs' shape; `message` on failure). */
export type AvJobView = {
  data: { url?: string; handle?: string; size?: number; mimetype?: string; filename?: string };
  metadata: { result: Record<string, unknown>; source: Record<string, unknown> };
  status: AvStatus;
  /** Unix seconds when the job was created, as a string like Filestack's. */
  timestamp: string;
  /** 32 lowercase hex characters. */
  uuid: string;
  message?: string;
};

type AvJob = { readonly key: string; readonly apikey: string; view: AvJobView };

/** Options of the A/V converter. */
export type AvOptions = {
  /** ffmpeg binary; default `ffmpeg` from PATH. */
  readonly ffmpegPath?: string;
};

const JOBS_KEY = 'filestack.avJobs';
const QUEUE_KEY = 'filestack.avQueue';

function jobsOf(ctx: CloudContext): Map<string, AvJob> {
  let jobs = ctx.state.get(JOBS_KEY) as Map<string, AvJob> | undefined;
  if (!jobs) {
    jobs = new Map();
    ctx.state.set(JOBS_KEY, jobs);
  }
  return jobs;
}

/** Stable key: same apikey, same params (any order, any alias spelling) and same source. */
export function jobKey(apikey: string, params: Readonly<Record<string, TaskValue>>, handle: string): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return `${apikey}|${JSON.stringify(sorted)}|${handle}`;
}

function advance(job: AvJob, status: AvStatus, patch: Partial<AvJobView> = {}): void {
  // The one place status changes: never backwards, never out of a final state.
  if (RANK[status] < RANK[job.view.status] || RANK[job.view.status] === 2) return;
  job.view = { ...job.view, ...patch, status };
}

/**
 * Returns the job for this request, starting a conversion when there is none (or when the last
 * one failed and `force` is set, as the docs describe for `force`).
 */
export function getOrStartJob(ctx: CloudContext, opts: AvOptions, apikey: string, params: Readonly<Record<string, TaskValue>>, file: StoredFile): AvJobView {
  const { force, ...rest } = params;
  const key = jobKey(apikey, rest, file.handle);
  const jobs = jobsOf(ctx);
  const existing = jobs.get(key);
  if (existing && !(existing.view.status === 'failed' && (force === true || force === 'true'))) return existing.view;
  const job: AvJob = {
    key,
    apikey,
    view: {
      data: {},
      metadata: { result: {}, source: { filename: file.filename, mimetype: file.mimetype, size: file.size } },
      status: 'pending',
      timestamp: String(Math.floor(Date.now() / 1000)),
      uuid: randomBytes(16).toString('hex'),
    },
  };
  jobs.set(key, job);
  // One conversion at a time per server: ffmpeg uses every core it can get.
  const prev = (ctx.state.get(QUEUE_KEY) as Promise<void> | undefined) ?? Promise.resolve();
  const next = prev.then(() => runJob(ctx, opts, job, rest, file));
  ctx.state.set(QUEUE_KEY, next);
  return job.view;
}

async function hashFile(file: string): Promise<{ size: number; md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha256.update(chunk);
  }
  return { size: (await stat(file)).size, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

/** Runs one conversion to its end; every failure becomes status `failed` with a message. */
async function runJob(ctx: CloudContext, opts: AvOptions, job: AvJob, params: Readonly<Record<string, TaskValue>>, file: StoredFile): Promise<void> {
  advance(job, 'started');
  const workDir = path.join(ctx.storage.dataDir, 'av-work');
  const out = path.join(workDir, `${job.view.uuid}.out`);
  try {
    const plan = planConversion(params, file.filename);
    if ('error' in plan) throw new FfmpegError('failed', plan.error);
    await mkdir(workDir, { recursive: true });
    const args = [...plan.inputArgs, '-i', ctx.storage.blobPath(file.handle), ...plan.outputArgs, '-y', out];
    await runFfmpeg(args, opts.ffmpegPath !== undefined ? { binary: opts.ffmpegPath } : {});
    const digest = await hashFile(out);
    const handle = ctx.storage.newHandle();
    const stored = await ctx.storage.commit(
      { path: out, ...digest },
      { handle, filename: plan.filename, mimetype: plan.mimetype, apikey: file.apikey, key: `${randomBytes(8).toString('hex')}_${plan.filename}`, path: null, container: file.container, location: file.location },
    );
    const url = `${ctx.baseUrl}/${stored.handle}`;
    advance(job, 'completed', {
      data: { url, handle: stored.handle, size: stored.size, mimetype: stored.mimetype, filename: stored.filename },
      metadata: { ...job.view.metadata, result: { preset: plan.preset, extname: `.${plan.ext}`, mimetype: stored.mimetype, size: stored.size } },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    advance(job, 'failed', { message });
    await rm(out, { force: true }).catch(() => undefined);
  }
  emitWebhook(ctx, ctx.apps.get(job.apikey) ?? ctx.apps.get(file.apikey), 'fp.video_complete', { ...job.view });
}
