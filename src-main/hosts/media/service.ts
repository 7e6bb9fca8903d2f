/**
 * Media jobs: starts A/V conversions of uploaded audio/video files (Filestack `video_convert`),
 * polls each with bounded backoff and keeps a timeline per job for the UI. Jobs live in memory
 * for the session (the conversion itself lives on the server and can be re-attached by URL).
 */
import { randomBytes } from 'node:crypto';
import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import type { TaskValue } from '../../../src-shared/filestack/types.js';
import type { MEDIA_PRESETS, MediaJob, RequestOf } from '../../../src-shared/ipc/channels.js';
import type { DestinationKind, JobView } from '../../../src-shared/model/job.js';
import { entryName } from '../../engine/journal/history-name.js';
import type { UploadHistory } from '../../engine/journal/types.js';
import type { Logger } from '../../engine/ports.js';
import { conversionToFilelink, pollConversion, startConversion, type AvConfig, type AvStatus } from '../../providers/filestack/av.js';
import type { MadeFileRecorder } from '../library/made-files.js';
import { mimetypeOf } from '../library/thumbnails.js';

export type MediaPreset = (typeof MEDIA_PRESETS)[number];
export type ConvertRequest = RequestOf<'media:convert'>;

/** Presets whose output is audio only: they accept audio and video sources. */
const AUDIO_PRESETS: ReadonlySet<MediaPreset> = new Set(['mp3', 'm4a']);
/** Oldest finished jobs are forgotten past this many. */
const MAX_JOBS = 200;

export type MediaDeps = {
  /** The engine's jobs; `done` ones are sources. */
  readonly jobs: () => readonly JobView[];
  /** The Library (journal history): every finished upload is a source, also after "Clear finished". */
  readonly history?: Pick<UploadHistory, 'get'> | null;
  /** Records a finished conversion in the Library, tied to its source (hosts/library/made-files.ts). */
  readonly record?: MadeFileRecorder;
  /** Conversion endpoint of a Filestack-protocol destination (read per call), or null when it is not configured. */
  readonly av: (destination: DestinationKind) => AvConfig | null;
  /** Receives every job whose status changed. */
  readonly emit: (jobs: MediaJob[]) => void;
  readonly logger: Logger;
  /** Polling shape (ms); defaults suit the local cloud: 250 ms growing to 3 s, 30 min budget. */
  readonly poll?: { initialDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
  readonly now?: () => number;
};

/** The media service as handlers and the composition root see it. */
export type MediaService = {
  convert(req: ConvertRequest): { mediaJobId: string };
  list(): MediaJob[];
  /** Stops every poll and waits for them to wind down. */
  close(): Promise<void>;
};

/** The `video_convert` parameters of a request. */
export function conversionParams(req: ConvertRequest): Record<string, TaskValue> {
  const params: Record<string, TaskValue> = { preset: req.preset };
  if (req.width !== undefined) params.width = req.width;
  if (req.height !== undefined) params.height = req.height;
  if (req.videoBitrate !== undefined && !AUDIO_PRESETS.has(req.preset)) params.video_bitrate = req.videoBitrate;
  if (req.audioBitrate !== undefined) params.audio_bitrate = req.audioBitrate;
  return params;
}

/** What a conversion needs of its source, from the queue or the Library. */
type Source = { id: string; name: string; destination: DestinationKind; handle: string; mimetype: string; uploadedAt: number };

/** A done job, else a Library entry, with this id; typed errors otherwise. */
function sourceOf(deps: MediaDeps, id: string): Source {
  const job = deps.jobs().find((j) => j.id === id);
  if (job) {
    if (job.status.kind !== 'done') throw new FerryError(appError('conflict', `${job.name} has not finished uploading.`, { retryable: false }));
    const { result, verifiedAt } = job.status;
    return { id, name: job.name, destination: job.destination, handle: result.remoteId, mimetype: result.mimetype, uploadedAt: verifiedAt };
  }
  const entry = deps.history?.get(id) ?? null;
  if (!entry) throw new FerryError(appError('not_found', `No upload with id ${id}.`, { retryable: false }));
  const name = entryName(entry);
  const mimetype = entry.mimetype ?? mimetypeOf(name) ?? 'application/octet-stream';
  return { id, name, destination: entry.destination, handle: entry.remoteId, mimetype, uploadedAt: entry.finishedAt };
}

/** `clip.mov` + webm → `clip.webm`; `clip.mp4` + mp4 → `clip-converted.mp4` (never the source's own name). */
export function conversionName(name: string, preset: MediaPreset): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const out = `${stem}.${preset}`;
  return out === name ? `${stem}-converted.${preset}` : out;
}

/** Builds the media service. */
export function createMediaService(deps: MediaDeps): MediaService {
  const now = deps.now ?? Date.now;
  const jobs = new Map<string, MediaJob>();
  const running = new Set<Promise<void>>();
  const stop = new AbortController();

  const update = (id: string, patch: (job: MediaJob) => MediaJob): void => {
    const current = jobs.get(id);
    if (!current) return;
    const next = patch(current);
    if (next === current) return;
    jobs.set(id, next);
    deps.emit([next]);
  };
  const setStatus = (id: string, status: AvStatus, extra: Partial<MediaJob> = {}): void =>
    update(id, (job) =>
      job.status === status && Object.keys(extra).length === 0
        ? job
        : { ...job, ...extra, status, timeline: job.status === status ? job.timeline : [...job.timeline, { status, at: now() }] },
    );

  const forgetOld = (): void => {
    if (jobs.size < MAX_JOBS) return;
    for (const [id, job] of jobs) {
      if (job.status === 'completed' || job.status === 'failed') {
        jobs.delete(id);
        if (jobs.size < MAX_JOBS) return;
      }
    }
  };

  const run = async (id: string, cfg: AvConfig, source: Source, req: ConvertRequest): Promise<void> => {
    try {
      const conversion = await startConversion(cfg, source.handle, conversionParams(req), { signal: stop.signal });
      if (isAvStatus(conversion.status) && conversion.status !== 'completed' && conversion.status !== 'failed') setStatus(id, conversion.status);
      const final = await pollConversion(cfg, conversion, {
        signal: stop.signal,
        initialDelayMs: deps.poll?.initialDelayMs ?? 250,
        maxDelayMs: deps.poll?.maxDelayMs ?? 3000,
        ...(deps.poll?.timeoutMs !== undefined ? { timeoutMs: deps.poll.timeoutMs } : {}),
        onStatus: (view) => {
          if (view.status === 'pending' || view.status === 'started') setStatus(id, view.status);
        },
      });
      const link = conversionToFilelink(final);
      const libraryId = deps.record?.({
        kind: 'conversion',
        sourceId: source.id,
        name: conversionName(source.name, req.preset),
        destination: source.destination,
        url: link.url,
        remoteId: link.handle,
        size: final.data?.size ?? 0,
        ...(final.data?.mimetype ? { mimetype: final.data.mimetype } : {}),
      });
      setStatus(id, 'completed', { url: link.url, ...(libraryId ? { libraryId } : {}) });
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.code !== 'aborted') deps.logger.warn('media conversion failed', { id, code: error.code, message: error.message });
      setStatus(id, 'failed', { error });
    }
  };

  return {
    convert(req) {
      const source = sourceOf(deps, req.jobId);
      const cfg = deps.av(source.destination);
      if (!cfg) throw new FerryError(appError('unsupported', `A/V conversion is not available on ${source.destination}.`, { retryable: false }));
      const isVideo = source.mimetype.startsWith('video/');
      if (!isVideo && !source.mimetype.startsWith('audio/')) {
        throw new FerryError(appError('bad_request', `${source.name} is not an audio or video file (${source.mimetype}).`, { retryable: false }));
      }
      if (!isVideo && !AUDIO_PRESETS.has(req.preset)) {
        throw new FerryError(appError('bad_request', `Preset ${req.preset} makes a video; ${source.name} is audio only.`, { retryable: false }));
      }
      if (stop.signal.aborted) throw new FerryError(appError('aborted', 'Ferry is shutting down.'));
      forgetOld();
      const id = `m${randomBytes(8).toString('hex')}`;
      const job: MediaJob = {
        id,
        sourceJobId: source.id,
        sourceName: source.name,
        preset: req.preset,
        status: 'pending',
        timeline: [
          { status: 'uploaded', at: source.uploadedAt },
          { status: 'pending', at: now() },
        ],
      };
      jobs.set(id, job);
      deps.emit([job]);
      const task = run(id, cfg, source, req).finally(() => running.delete(task));
      running.add(task);
      return { mediaJobId: id };
    },
    list: () => [...jobs.values()],
    async close() {
      stop.abort();
      await Promise.allSettled([...running]);
    },
  };
}

function isAvStatus(s: string): s is AvStatus {
  return s === 'pending' || s === 'started' || s === 'completed' || s === 'failed';
}
