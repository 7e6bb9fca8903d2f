/**
 * The transform studio's main-side service: renders a chain on an uploaded image through its
 * destination's processing (Filestack tasks on `local`/`filestack`, ImageKit transformations on
 * `imagekit`), measures original and result with sharp, and stores a result as a new file.
 */
import { appError, FerryError } from '../../../src-shared/errors.js';
import { validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep } from '../../../src-shared/filestack/types.js';
import { buildUrl, type TransformStep } from '../../../src-shared/imagekit/url-builder.js';
import type { ImageFacts, StudioChain } from '../../../src-shared/ipc/channels.js';
import type { DestinationKind, JobView, UploadResult } from '../../../src-shared/model/job.js';
import { entryName } from '../../engine/journal/history-name.js';
import type { UploadHistory } from '../../engine/journal/types.js';
import { storeTransformed, transformUrl, type ProcessingConfig } from '../../providers/filestack/processing.js';
import { signedUrl } from '../../providers/filestack/file-api.js';
import type { ImageKitClient } from '../../providers/imagekit/client.js';
import type { MadeFileRecorder } from '../library/made-files.js';
import { fetchBounded, imageFacts } from './image-fetch.js';

/** Image tasks the studio offers on Filestack destinations; storage/security/A-V tasks stay out. */
export const STUDIO_FILESTACK_TASKS: ReadonlySet<string> = new Set([
  'resize', 'crop', 'rotate', 'flip', 'flop', 'blur', 'sharpen', 'monochrome', 'output', 'quality', 'border',
  'rounded_corners', 'round_corners', 'circle', 'sepia', 'negative', 'blackwhite', 'pixelate', 'modulate',
  'vignette', 'shadow', 'polaroid', 'torn_edges', 'compress', 'no_metadata', 'enhance',
]);

export type StudioDeps = {
  /** The engine's jobs; only `done` ones are studio sources. */
  readonly jobs: () => readonly JobView[];
  /** Processing config of a Filestack-protocol destination (read per call), or null when it is not configured. */
  readonly filestack: (destination: DestinationKind) => ProcessingConfig | null;
  /** The ImageKit client, when that destination is configured (read per call). */
  readonly imagekit?: () => ImageKitClient | null;
  /**
   * Finished uploads no longer in the queue (the journal's history): the library's "Open in
   * studio" names one by its job id after the queue was cleared or the app restarted.
   */
  readonly history?: Pick<UploadHistory, 'get'> | null;
  /** Records a stored result in the Library, tied to its source (hosts/library/made-files.ts). */
  readonly record?: MadeFileRecorder;
};

export type StudioPreview = { url: string; originalUrl: string; before: ImageFacts; after: ImageFacts };
/** A stored result; `libraryId` is its Library entry, null when it could not be recorded. */
export type StudioStored = { url: string; remoteId: string; libraryId: string | null };

/** The studio's two operations. */
export type StudioService = {
  preview(jobId: string, chain: StudioChain): Promise<StudioPreview>;
  store(jobId: string, chain: StudioChain): Promise<StudioStored>;
};

const ORIGINALS_CACHED = 32;
/** How long the studio's signed link to an original stays readable (a session of editing). */
const ORIGINAL_LINK_SECONDS = 6 * 3600;

const bad = (message: string): FerryError => new FerryError(appError('bad_request', message, { retryable: false }));

/** What the studio needs of an upload: its name, where it went, and what was stored. */
type Source = { job: Pick<JobView, 'name' | 'destination'>; result: UploadResult };

/** A done job's (or a history entry's) upload result, or a typed error naming why it cannot be used. */
function sourceOf(deps: StudioDeps, jobId: string): Source {
  const job = deps.jobs().find((j) => j.id === jobId);
  if (job) {
    if (job.status.kind !== 'done') throw new FerryError(appError('conflict', `${job.name} has not finished uploading.`, { retryable: false }));
    return { job, result: job.status.result };
  }
  const entry = deps.history?.get(jobId) ?? null;
  if (!entry) throw new FerryError(appError('not_found', `No upload with id ${jobId}.`, { retryable: false }));
  const name = entryName(entry);
  // The history keeps no MIME type; the studio only renders images and sharp reports the rest.
  const result: UploadResult = { url: entry.url, remoteId: entry.remoteId, size: entry.size, mimetype: 'application/octet-stream', filename: name };
  return { job: { name, destination: entry.destination }, result };
}

/** Checks a Filestack chain against the studio's tasks and the shared catalog. */
export function checkFilestackSteps(steps: readonly TaskStep[]): TaskStep[] {
  for (const step of steps) {
    if (!STUDIO_FILESTACK_TASKS.has(step.name)) throw bad(`Task "${step.name}" is not available in the studio.`);
    const verdict = validateStep(step);
    if (!verdict.ok) throw bad(verdict.message);
  }
  return [...steps];
}

type Plan =
  | { kind: 'filestack'; cfg: ProcessingConfig; steps: TaskStep[]; handle: string }
  | { kind: 'imagekit'; client: ImageKitClient; steps: TransformStep[] };

/** Builds the studio service. */
export function createStudioService(deps: StudioDeps): StudioService {
  const originals = new Map<string, ImageFacts>();

  const plan = (job: Source['job'], result: UploadResult, chain: StudioChain): Plan => {
    if (job.destination === 'imagekit') {
      if (chain.kind !== 'imagekit') throw bad(`${job.name} is on ImageKit: send ImageKit transformation steps.`);
      const client = deps.imagekit?.() ?? null;
      if (!client) throw new FerryError(appError('unsupported', 'ImageKit is not configured.', { retryable: false }));
      return { kind: 'imagekit', client, steps: chain.steps };
    }
    if (chain.kind !== 'filestack') throw bad(`${job.name} is on a Filestack destination: send Filestack task steps.`);
    const cfg = deps.filestack(job.destination);
    if (!cfg) throw new FerryError(appError('unsupported', `Processing is not configured for ${job.destination}.`, { retryable: false }));
    return { kind: 'filestack', cfg, steps: checkFilestackSteps(chain.steps), handle: result.remoteId };
  };

  // The stored file as it can be read: with an app secret (security required), a CDN read carries
  // its own short `read` policy for this handle, like a processing URL does.
  const originalUrl = (p: Plan, result: UploadResult): string => {
    if (p.kind !== 'filestack' || p.cfg.secret === undefined) return result.url;
    return signedUrl(p.cfg, p.handle, { expiry: Math.floor(Date.now() / 1000) + ORIGINAL_LINK_SECONDS, calls: ['read'] });
  };

  const renderUrl = (p: Plan, result: UploadResult): string => {
    if (p.steps.length === 0) return originalUrl(p, result);
    if (p.kind === 'filestack') return transformUrl(p.cfg, { steps: p.steps, source: p.handle });
    const url = buildUrl({ urlEndpoint: p.client.config.urlEndpoint, src: result.url, transformation: p.steps });
    if (url === '') throw bad('The ImageKit URL could not be built from these steps.');
    return url;
  };

  const before = async (jobId: string, url: string): Promise<ImageFacts> => {
    const cached = originals.get(jobId);
    if (cached) return cached;
    const { data } = await fetchBounded(url, 'The original');
    const facts = await imageFacts(data, 'The original');
    if (originals.size >= ORIGINALS_CACHED) originals.delete(originals.keys().next().value as string);
    originals.set(jobId, facts);
    return facts;
  };

  return {
    async preview(jobId, chain) {
      const { job, result } = sourceOf(deps, jobId);
      const p = plan(job, result, chain);
      const url = renderUrl(p, result);
      const readable = originalUrl(p, result);
      const original = await before(jobId, readable);
      if (p.steps.length === 0) return { url, originalUrl: readable, before: original, after: original };
      const { data } = await fetchBounded(url, 'The preview');
      return { url, originalUrl: readable, before: original, after: await imageFacts(data, 'The preview') };
    },

    async store(jobId, chain) {
      const { job, result } = sourceOf(deps, jobId);
      const p = plan(job, result, chain);
      const filename = studioFileName(job.name, chain);
      const made = { kind: 'transform', sourceId: jobId, name: filename, destination: job.destination } as const;
      if (p.kind === 'filestack') {
        const stored = await storeTransformed(p.cfg, { steps: p.steps, source: p.handle, store: { filename } });
        const libraryId = deps.record?.({ ...made, url: stored.url, remoteId: stored.remoteId, size: stored.size, mimetype: stored.mimetype }) ?? null;
        return { url: stored.url, remoteId: stored.remoteId, libraryId };
      }
      // ImageKit renders on delivery only: download the result and upload it as a new file.
      const { data, mimetype } = await fetchBounded(renderUrl(p, result), 'The rendered image');
      const uploaded = await p.client.upload({ file: { base64: data.toString('base64') }, fileName: filename, useUniqueFileName: true });
      const libraryId = deps.record?.({ ...made, url: uploaded.url, remoteId: uploaded.fileId, size: data.length, mimetype }) ?? null;
      return { url: uploaded.url, remoteId: uploaded.fileId, libraryId };
    },
  };
}

/** `photo.jpg` + output webp → `photo-edited.webp`; keeps the extension when the format stays. */
export function studioFileName(name: string, chain: StudioChain): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1) : '';
  if (chain.kind === 'filestack') {
    const output = chain.steps.find((s) => s.name === 'output');
    const format = output?.params?.format;
    if (typeof format === 'string') ext = format;
  } else {
    for (const step of chain.steps) {
      const f = step.format ?? step.f;
      if (typeof f === 'string' && f !== 'auto' && f !== 'orig') ext = f;
    }
  }
  return ext ? `${stem}-edited.${ext}` : `${stem}-edited`;
}
