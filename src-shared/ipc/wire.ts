import { z } from 'zod';
import type { AppError } from '../errors.js';

/**
 * Messages of the web host's WebSocket transport. The Electron host needs none of this: it maps
 * the same channels onto ipcMain/ipcRenderer. Payloads are validated again per channel by
 * `dispatch()`; this layer only checks the envelope.
 */

/** Largest WebSocket message the host accepts; file bytes never travel over the socket. */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;

/** renderer → host */
export const wireCallSchema = z.strictObject({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(64),
  payload: z.unknown(),
});
export type WireCall = z.infer<typeof wireCallSchema>;

/** host → renderer */
export type WireReply = { t: 'reply'; id: number; result: { ok: true; value: unknown } | { ok: false; error: AppError } };
export type WireEvent = { t: 'event'; name: string; payload: unknown };
/** Sent when a message cannot even be matched to a call (bad JSON, bad envelope). */
export type WireError = { t: 'error'; error: AppError };
export type WireOut = WireReply | WireEvent | WireError;

export { FILE_HEADERS, FILE_STREAM_PATH, SESSION_PATH } from './file-stream.js';
