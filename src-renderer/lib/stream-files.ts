import { appError, fail, isAppError, ok, type Result } from '../../src-shared/errors.js';
import { FILE_HEADERS, FILE_STREAM_PATH } from '../../src-shared/ipc/file-stream.js';
import type { AddFilesResult, DroppedEntry } from './api.js';

/** A few uploads to the host at once keep the link busy without starving the socket. */
const PARALLEL_POSTS = 3;

type PostOutcome = { ok: true; jobIds: string[] } | { ok: false; error: ReturnType<typeof appError> };

async function postOne(entry: DroppedEntry, token: string, batchId: string): Promise<PostOutcome> {
  try {
    const headers: Record<string, string> = {
      [FILE_HEADERS.token]: encodeURIComponent(token),
      [FILE_HEADERS.name]: encodeURIComponent(entry.file.name),
      [FILE_HEADERS.batch]: batchId,
    };
    if (entry.relativePath) headers[FILE_HEADERS.relativePath] = encodeURIComponent(entry.relativePath);
    // The File is the body, so the browser streams it from disk instead of loading it in memory.
    const res = await fetch(FILE_STREAM_PATH, { method: 'POST', body: entry.file, headers });
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // Falls through to the status-based error below.
    }
    const reply = body as { ok?: unknown; value?: { jobIds?: unknown }; error?: unknown } | null;
    if (reply?.ok === true && Array.isArray(reply.value?.jobIds)) {
      return { ok: true, jobIds: reply.value.jobIds.filter((id): id is string => typeof id === 'string') };
    }
    if (reply?.ok === false && isAppError(reply.error)) return { ok: false, error: reply.error };
    return { ok: false, error: appError('protocol', `The host answered HTTP ${res.status} without a result.`) };
  } catch (thrown) {
    // fetch rejects only for network failures (or a file that vanished while being read).
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { ok: false, error: appError('network', `Could not send ${entry.file.name}: ${message}`) };
  }
}

/**
 * Web host: sends each file's bytes with its own `POST /files`, a few in parallel, and collects
 * the job ids. Fails as a whole only when no file was accepted.
 */
export async function streamFiles(entries: readonly DroppedEntry[], token: string): Promise<Result<AddFilesResult>> {
  const result: AddFilesResult = { jobIds: [], errors: [] };
  // One id for the whole drop: the host adds each file on its own, the queue shows them together.
  const batchId = crypto.randomUUID();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const entry = entries[next++];
      if (!entry) break;
      const outcome = await postOne(entry, token, batchId);
      if (outcome.ok) result.jobIds.push(...outcome.jobIds);
      else result.errors.push({ name: entry.relativePath ?? entry.file.name, error: outcome.error });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_POSTS, entries.length) }, worker));
  const firstError = result.errors[0];
  if (result.jobIds.length === 0 && firstError) return fail(firstError.error);
  return ok(result);
}
