import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { UploadCheckpoint, UploadContext, UploadSource } from '../../src-main/engine/ports.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud, type LocalCloudHooks } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, MIN_PART_SIZE, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import type { UploadEvent } from '../../src-main/providers/filestack/retry-loop.js';
import { startFaultProxy, type FaultLogEntry, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { sha256File } from '../support/files.js';

/**
 * A real local cloud behind the fault proxy, with every URL the cloud hands out (location_url,
 * presigned part URLs) pointing at the proxy too, so start, parts, complete and the metadata
 * check all cross the faults.
 */
export type Rig = {
  readonly cloud: LocalCloud;
  readonly proxy: FaultProxy;
  close(): Promise<void>;
};

export const PART = MIN_PART_SIZE;
/** Fast retries for tests: same shape as production (exponential, jitter), tiny numbers. */
export const FAST_RETRY = { maxRetries: 6, baseDelayMs: 5, maxDelayMs: 40, jitter: 0.5 };

export async function startRig(dataDir: string, rule: FaultRule = () => null, hooks: LocalCloudHooks = {}): Promise<Rig> {
  const cloud = await startLocalCloud({ dataDir, hooks });
  const proxy = await startFaultProxy(cloud.baseUrl, rule);
  // The cloud builds location_url and part URLs from its context's base URL: route them via the proxy.
  cloud.context.baseUrl = proxy.url;
  return {
    cloud,
    proxy,
    close: async () => {
      await proxy.close();
      await cloud.close();
    },
  };
}

/** The provider under test, talking only to the proxy; 5 MiB parts (the S3 minimum). */
export function providerFor(rig: Rig, extra: Partial<FilestackProviderOptions> = {}): ReturnType<typeof createFilestackProvider> {
  return createFilestackProvider({
    kind: 'local',
    apikey: DEFAULT_LOCAL_APIKEY,
    uploadBase: rig.proxy.url,
    cdnBase: rig.proxy.url,
    fileApiBase: rig.proxy.url,
    partSize: PART,
    retry: FAST_RETRY,
    completePollMs: 10,
    stallTimeoutMs: 5_000,
    ...extra,
  });
}

export function memoryCheckpoint(): UploadCheckpoint & { state: unknown } {
  const cp = {
    state: undefined as unknown,
    load: () => cp.state,
    save: (s: unknown) => {
      cp.state = structuredClone(s);
    },
    clear: () => {
      cp.state = undefined;
    },
  };
  return cp;
}

export function uploadContext(signal = new AbortController().signal): UploadContext {
  return { signal, onProgress: () => undefined, checkpoint: memoryCheckpoint() };
}

export function sourceOf(filePath: string, size: number): UploadSource {
  return { path: filePath, name: path.basename(filePath), relativePath: null, size, mimetype: 'application/octet-stream' };
}

/** sha256 of what the cloud stored under `handle` (read from its disk, not through the proxy). */
export function storedSha256(rig: Rig, handle: string): Promise<string> {
  return sha256File(rig.cloud.storage.blobPath(handle));
}

/** Handles the cloud has stored (files/<handle> without the .json sidecar). */
export async function storedHandles(rig: Rig): Promise<string[]> {
  const names = await readdir(path.join(rig.cloud.dataDir, 'files'));
  return names.filter((n) => !n.endsWith('.json'));
}

const PART_PUT = /^\/s3\/([^/?]+)\/(\d+)(?:\?|$)/;

/** Part number of a part PUT log entry, or null for other requests. */
export function partOf(e: FaultLogEntry): number | null {
  if (e.method !== 'PUT') return null;
  const m = PART_PUT.exec(e.url);
  return m ? Number(m[2]) : null;
}

export const isCall = (e: FaultLogEntry, call: 'start' | 'upload' | 'complete'): boolean => e.method === 'POST' && e.url.startsWith(`/multipart/${call}`);

/** Collects provider events. */
export function eventLog(): { events: UploadEvent[]; onEvent: (e: UploadEvent) => void } {
  const events: UploadEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** Resolves with the thrown error's AppError-like shape (or fails the test if it resolved). */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as { error?: { code: string; message: string; details?: Record<string, unknown> } };
    if (e.error) return e.error;
    throw err;
  }
  throw new Error('expected the upload to fail, but it resolved');
}
