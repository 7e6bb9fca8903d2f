import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mime from 'mime-types';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { DestinationKind } from '../../src-shared/model/job.js';
import { sanitizeFileName } from '../engine/name-sanitize.js';
import type { Logger } from '../engine/ports.js';
import type { Engine } from '../engine/types.js';
import { fetchCapped, type FetchFailure } from '../localcloud/fetch-capped.js';

/** Largest file "upload from clipboard" will download (it is held in memory while it arrives). */
export const URL_INTAKE_MAX_BYTES = 256 * 1024 * 1024;
const HEADERS_TIMEOUT_MS = 30_000;

/**
 * `jobs:add-url`: the browser-mode "upload from clipboard" for a copied link. The main process
 * downloads the URL (capped, with a deadline) into `<stagingRoot>/<random>/<name>` and queues it
 * like a dropped file; the staged copy is deleted when its job is cleared.
 */
export function createUrlIntake(opts: {
  stagingRoot: string;
  engine: Engine;
  logger: Logger;
  /** The destination used when the request names none (read per call). */
  destination: () => DestinationKind;
  maxBytes?: number;
}): Pick<Handlers, 'jobs:add-url'> & { close(): void } {
  const staged = new Map<string, string>();
  const close = opts.engine.on('jobs:removed', ({ ids }) => {
    for (const id of ids) {
      const dir = staged.get(id);
      staged.delete(id);
      if (dir) rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });
  return {
    close,
    'jobs:add-url': async ({ url, destination }) => {
      // A link the user pasted into their own app may name their LAN (a NAS, a dev server).
      const got = await fetchCapped(url, { maxBytes: opts.maxBytes ?? URL_INTAKE_MAX_BYTES, timeoutMs: HEADERS_TIMEOUT_MS, allowPrivate: true });
      if (!got.ok) throw new FerryError(fetchError(got.failure));
      const name = nameFor(url, got.value.headers);
      const dir = join(opts.stagingRoot, randomBytes(12).toString('hex'));
      try {
        await mkdir(dir, { recursive: true });
        const file = join(dir, name);
        await writeFile(file, got.value.data, { flag: 'wx' });
        const added = await opts.engine.addStaged([{ path: file, relativePath: null, name }], destination ?? opts.destination());
        for (const id of added.jobIds) staged.set(id, dir);
        if (added.jobIds.length === 0) await rm(dir, { recursive: true, force: true });
        opts.logger.info('url queued', { bytes: got.value.data.length, jobs: added.jobIds.length });
        return { jobIds: added.jobIds };
      } catch (thrown) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        throw thrown;
      }
    },
  };
}

function fetchError(failure: FetchFailure): ReturnType<typeof appError> {
  switch (failure.kind) {
    case 'invalid-url':
      return appError('bad_request', 'Only http and https links can be uploaded.', { retryable: false });
    case 'unreachable':
      return appError(failure.timedOut ? 'timeout' : 'network', `The link could not be downloaded: ${failure.reason}`);
    case 'status':
      return appError(failure.status === 404 ? 'not_found' : 'bad_request', `The link answered HTTP ${failure.status}.`, {
        retryable: false,
        details: { status: failure.status },
      });
    case 'too-large':
      return appError('payload_too_large', `The linked file is larger than ${URL_INTAKE_MAX_BYTES / 1024 / 1024} MiB.`, { retryable: false });
    case 'refused':
      return appError('forbidden', `The link names a ${failure.range} address (${failure.address}).`, { retryable: false });
  }
}

/** A file name from Content-Disposition, else the URL's last path segment, with an extension from the type when missing. */
export function nameFor(url: string, headers: Headers): string {
  const disposition = headers.get('content-disposition') ?? '';
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1];
  let raw = '';
  try {
    raw = star ? decodeURIComponent(star.trim()) : (plain?.trim() ?? decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''));
  } catch {
    raw = '';
  }
  let name = sanitizeFileName(raw === '' ? 'download' : raw);
  const type = headers.get('content-type')?.split(';')[0]?.trim();
  const ext = type ? mime.extension(type) : false;
  if (!/\.[A-Za-z0-9]{1,8}$/.test(name) && ext) name = `${name}.${ext}`;
  return name;
}
