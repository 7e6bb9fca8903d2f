/**
 * A/V conversion client (spec §8): start a `video_convert` job, poll the same URL with bounded
 * backoff until it is `completed` or `failed`, and turn a completed job into a Filelink.
 */
import { z } from 'zod';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { buildProcessingUrl } from '../../../src-shared/filestack/url-builder.js';
import type { TaskParams } from '../../../src-shared/filestack/types.js';
import { jsonRequest } from '../../net/http.js';
import type { RetryPolicy } from '../../engine/retry.js';
import { sleep, withRetry } from './retry-loop.js';
import type { Security } from '../../protocol/filestack/signing.js';

/** Where conversions are requested. */
export type AvConfig = {
  /** CDN or process origin, e.g. https://cdn.filestackcontent.com or the local cloud's baseUrl. */
  readonly cdnBase: string;
  /** Included as the apikey segment when given. */
  readonly apikey?: string;
  /** Policy granting `convert` when the app requires security. */
  readonly security?: Security;
  /** Retry of transient failures of one status request (default 3 quick retries). */
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
};

/** Job states; `pending` and `started` are in progress. */
export type AvStatus = 'pending' | 'started' | 'completed' | 'failed';

const viewSchema = z
  .object({
    uuid: z.string().min(1),
    // Filestack sends a string; tolerate a number (Go models it as a string, others may not).
    timestamp: z.union([z.string(), z.number()]).transform(String),
    status: z.string(),
    data: z.object({ url: z.string().optional(), size: z.number().optional(), mimetype: z.string().optional() }).loose().optional(),
    message: z.string().optional(),
  })
  .loose();

/** One status answer. `status` is kept as sent; unknown strings count as in progress. */
export type ConversionStatus = z.infer<typeof viewSchema>;

/** A started conversion: the URL to poll plus the job's identity. */
export type Conversion = { readonly url: string; readonly uuid: string; readonly timestamp: string; readonly status: string };

const QUICK_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 2000, jitter: 0.5 };

async function fetchStatus(cfg: AvConfig, url: string, signal: AbortSignal): Promise<ConversionStatus> {
  return withRetry(
    async () => {
      const res = await jsonRequest({ method: 'GET', url, signal, ...(cfg.timeoutMs !== undefined ? { timeoutMs: cfg.timeoutMs } : {}) });
      const parsed = viewSchema.safeParse(res.data);
      if (!parsed.success) throw new FerryError(appError('protocol', 'The conversion status answer has no uuid/status.', { retryable: false }));
      return parsed.data;
    },
    { policy: cfg.retry ?? QUICK_RETRY, signal },
  );
}

/** The processing URL of a conversion (Python style; the apikey segment when configured). */
export function conversionUrl(cfg: AvConfig, handle: string, params: TaskParams): string {
  return buildProcessingUrl({
    base: cfg.cdnBase.replace(/\/+$/, ''),
    ...(cfg.apikey !== undefined ? { apikey: cfg.apikey } : {}),
    steps: [{ name: 'video_convert', params }],
    source: { kind: 'handle', handle },
    ...(cfg.security ? { security: cfg.security } : {}),
    style: 'python',
  });
}

/** Starts (or re-attaches to) a conversion; params are validated before any request. */
export async function startConversion(cfg: AvConfig, handle: string, params: TaskParams, opts: { signal?: AbortSignal } = {}): Promise<Conversion> {
  const url = conversionUrl(cfg, handle, params);
  const view = await fetchStatus(cfg, url, opts.signal ?? new AbortController().signal);
  return { url, uuid: view.uuid, timestamp: view.timestamp, status: view.status };
}

/** Polling shape: the first wait, growth factor, cap and overall budget (ms). */
export type PollOptions = {
  readonly signal?: AbortSignal;
  /** Default 500. */
  readonly initialDelayMs?: number;
  /** Default 5000. */
  readonly maxDelayMs?: number;
  /** Give up with `timeout` after this long; default 30 min. */
  readonly timeoutMs?: number;
  /** Called with every status seen (progress UI, tests). */
  readonly onStatus?: (status: ConversionStatus) => void;
};

/** Polls until `completed` or `failed` and returns that answer; aborts and times out as typed errors. */
export async function pollConversion(cfg: AvConfig, conversion: Pick<Conversion, 'url'>, opts: PollOptions = {}): Promise<ConversionStatus> {
  const signal = opts.signal ?? new AbortController().signal;
  const maxDelay = opts.maxDelayMs ?? 5000;
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  let delay = opts.initialDelayMs ?? 500;
  for (;;) {
    const view = await fetchStatus(cfg, conversion.url, signal);
    opts.onStatus?.(view);
    if (view.status === 'completed' || view.status === 'failed') return view;
    if (Date.now() + delay > deadline) {
      throw new FerryError(appError('timeout', `The conversion did not finish in time (last status ${view.status}).`, { retryable: false }));
    }
    await sleep(delay, signal);
    delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
  }
}

/** The new file of a completed conversion; typed errors for failed or unfinished jobs. */
export function conversionToFilelink(status: ConversionStatus): { handle: string; url: string } {
  if (status.status === 'failed') {
    throw new FerryError(appError('server_error', `The conversion failed: ${status.message ?? 'no reason given'}.`, { retryable: false, details: { uuid: status.uuid } }));
  }
  if (status.status !== 'completed') {
    throw new FerryError(appError('conflict', `The conversion is not completed yet (status ${status.status}).`, { retryable: true, details: { uuid: status.uuid } }));
  }
  const url = status.data?.url;
  const handle = url?.split('?')[0]?.split('/').filter(Boolean).pop();
  if (url === undefined || handle === undefined) throw new FerryError(appError('protocol', 'A completed conversion carries no data.url.', { retryable: false }));
  return { handle, url };
}
