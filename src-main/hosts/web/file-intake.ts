import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { appError, toAppError, type AppError, type Result } from '../../../src-shared/errors.js';
import { BATCH_ID_PATTERN, FILE_HEADERS } from '../../../src-shared/ipc/file-stream.js';
import { sanitizeFileName, sanitizeRelativePath } from '../../engine/name-sanitize.js';
import type { Logger } from '../../engine/ports.js';
import type { Engine } from '../../engine/types.js';
import { tokenMatches } from './token.js';

const MAX_HEADER_CHARS = 4096;

type Target = { readonly name: string; readonly relativePath: string | null; readonly batchId: string | undefined };

/**
 * Receives one dropped file per `POST /files` (browser mode cannot hand us a path): checks the
 * token, validates the name headers, streams the body to `<stagingRoot>/<random>/<safe path>`
 * (no size limit, never buffered whole) and queues it with its relative path. Staged copies are
 * deleted when their job is cleared.
 */
export function createFileIntake(opts: { token: string; stagingRoot: string; engine: Engine; logger: Logger }) {
  const stagedDirs = new Map<string, string>();
  const unsubscribe = opts.engine.on('jobs:removed', ({ ids }) => {
    for (const id of ids) {
      const dir = stagedDirs.get(id);
      stagedDirs.delete(id);
      if (dir) rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return reply(res, 405, fail(appError('bad_request', 'Use POST.')));
    if (!tokenMatches(opts.token, decodeHeader(req.headers[FILE_HEADERS.token]))) {
      req.resume();
      return reply(res, 401, fail(appError('unauthorized', 'Missing or wrong token.', { retryable: false })));
    }
    const target = parseTarget(req);
    if (!target.ok) {
      req.resume();
      return reply(res, 400, target);
    }
    const { name, relativePath, batchId } = target.value;
    const dir = join(opts.stagingRoot, randomBytes(12).toString('hex'));
    const dest = join(dir, ...(relativePath ?? name).split('/'));
    if (!resolve(dest).startsWith(resolve(dir) + sep)) return reply(res, 400, fail(appError('bad_request', 'Bad file path.')));
    try {
      await mkdir(dirname(dest), { recursive: true });
      await pipeline(req, createWriteStream(dest, { flags: 'wx' }));
      const added = await opts.engine.addStaged([{ path: dest, relativePath, name }], undefined, batchId ? { batchId } : {});
      for (const id of added.jobIds) stagedDirs.set(id, dir);
      if (added.jobIds.length === 0) await rm(dir, { recursive: true, force: true });
      return reply(res, 200, { ok: true, value: { jobIds: added.jobIds } });
    } catch (thrown) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      opts.logger.warn('file intake failed', { error: String(thrown) });
      const error = toAppError(thrown);
      return reply(res, error.code === 'internal' ? 500 : 400, fail(error));
    }
  };

  return { handle, close: unsubscribe };
}

/** Parses and validates the name headers. `..`, absolute paths and NUL are refused outright. */
function parseTarget(req: IncomingMessage): Result<Target> {
  const rawName = decodeHeader(req.headers[FILE_HEADERS.name]);
  const rawRel = decodeHeader(req.headers[FILE_HEADERS.relativePath]);
  if (rawName === null || rawName === '' || rawName.length > MAX_HEADER_CHARS) return fail(appError('bad_request', `Missing or bad ${FILE_HEADERS.name} header.`));
  if (rawRel !== null && rawRel.length > MAX_HEADER_CHARS) return fail(appError('bad_request', `Bad ${FILE_HEADERS.relativePath} header.`));
  for (const value of [rawName, rawRel ?? '']) {
    if (value.includes('\0')) return fail(appError('bad_request', 'File names may not contain NUL.'));
    if (/^[/\\]|^[A-Za-z]:/.test(value)) return fail(appError('bad_request', 'Absolute paths are not accepted.'));
    if (value.split(/[/\\]/).includes('..')) return fail(appError('bad_request', 'Path segments ".." are not accepted.'));
  }
  const rawBatch = decodeHeader(req.headers[FILE_HEADERS.batch]);
  if (rawBatch !== null && !BATCH_ID_PATTERN.test(rawBatch)) return fail(appError('bad_request', `Bad ${FILE_HEADERS.batch} header.`));
  const relativePath = rawRel === null || rawRel === '' ? null : sanitizeRelativePath(rawRel);
  const name = sanitizeFileName(relativePath?.split('/').pop() ?? rawName.split(/[/\\]/).pop() ?? rawName);
  return { ok: true, value: { name, relativePath, batchId: rawBatch ?? undefined } };
}

/** Header values are encodeURIComponent'd by the renderer; undecodable → null. */
function decodeHeader(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string') return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function fail(error: AppError): { ok: false; error: AppError } {
  return { ok: false, error };
}

function reply(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
