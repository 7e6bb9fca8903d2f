import { z } from 'zod';
import type { AppError, Result } from '../../../src-shared/errors.js';
import { MAX_WS_MESSAGE_BYTES } from '../../../src-shared/ipc/wire.js';

/**
 * The instance socket's messages: newline-delimited JSON, one message per line, each at most
 * MAX_LINE_BYTES. A client first says `hello` with the secret from the lock file; then it sends
 * the contract's `call` envelopes (src-shared/ipc/wire.ts) and receives `reply`, `event` and
 * `error` exactly as the WebSocket renderer does. A few host-only channels (`instance:*`) ride
 * the same envelope.
 */

/** Same cap as the WebSocket transport: file bytes never travel over the socket. */
export const MAX_LINE_BYTES = MAX_WS_MESSAGE_BYTES;

/** What kind of process owns a data folder: the app (web or Electron host) or a headless `ferry`. */
export const ownerKindSchema = z.enum(['app', 'cli']);
export type OwnerKind = z.infer<typeof ownerKindSchema>;

export const helloSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.literal(1),
  secret: z.string().min(1).max(128),
});

/** The owner's answer to `hello`. */
export const welcomeSchema = z.object({
  t: z.literal('welcome'),
  pid: z.number().int(),
  kind: ownerKindSchema,
  version: z.string(),
});
export type Welcome = z.infer<typeof welcomeSchema>;

const absolutePaths = z.array(z.string().min(1).max(4096)).max(10_000);

/** Host-only channels: never part of the renderer's contract. */
export const instanceChannels = {
  /**
   * A second launch hands over its arguments: files to upload (absolute) and the port it asked
   * for. The owner queues the files, brings its window forward, and answers with its URL.
   */
  'instance:open': {
    request: z.strictObject({ files: absolutePaths, port: z.number().int().min(0).max(65535).optional() }),
    response: z.object({
      url: z.string().nullable(),
      jobIds: z.array(z.string()),
      skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
      note: z.string().nullable(),
    }),
  },
  /**
   * The app asks a headless `ferry` that owns the data folder to stop its engine (jobs stay
   * resumable in the journal) and release the folder; the app then takes the uploads over.
   */
  'instance:handover': { request: z.strictObject({}), response: z.null() },
  /**
   * Finishes what killed `ferry upload` runs asked for but never journaled (intents.ts): the
   * owner re-queues those paths and answers which jobs now carry them and which files failed.
   */
  'instance:recover': {
    /** `intent`: just this one, even though its writer still runs (its owner went away while taking its paths). */
    request: z.strictObject({ intent: z.string().min(1).max(64).optional() }),
    response: z.object({
      jobIds: z.array(z.string()),
      labels: z.record(z.string(), z.string()),
      failed: z.array(z.object({ file: z.string(), error: z.string() })),
    }),
  },
} as const;

export type InstanceChannel = keyof typeof instanceChannels;
export type InstanceRequest<C extends InstanceChannel> = z.input<(typeof instanceChannels)[C]['request']>;
export type InstanceResponse<C extends InstanceChannel> = z.output<(typeof instanceChannels)[C]['response']>;
export type InstanceHandlers = {
  [C in InstanceChannel]: (request: z.output<(typeof instanceChannels)[C]['request']>) => Promise<InstanceResponse<C>> | InstanceResponse<C>;
};

export function isInstanceChannel(name: string): name is InstanceChannel {
  return Object.prototype.hasOwnProperty.call(instanceChannels, name);
}

/** Everything the owner sends; `reply`/`event`/`error` are the WebSocket transport's shapes. */
export type ServerMessage =
  | Welcome
  | { t: 'reply'; id: number; result: Result<unknown> }
  | { t: 'event'; name: string; payload: unknown }
  | { t: 'error'; error: AppError };

/**
 * Splits a byte stream into lines of at most `cap` bytes. A longer line is dropped up to its
 * newline and reported once through `onOversize`, so one bad message costs one error, and the
 * buffer never grows past the cap.
 */
export function lineSplitter(cap: number, onLine: (line: string) => void, onOversize: () => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  return (chunk) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!skipping) {
        size += end - start;
        if (size > cap) {
          skipping = true;
          parts = [];
          onOversize();
        } else if (end > start) parts.push(chunk.subarray(start, end));
      }
      if (nl === -1) return;
      if (!skipping) onLine(Buffer.concat(parts).toString('utf8'));
      parts = [];
      size = 0;
      skipping = false;
      start = nl + 1;
    }
  };
}

/** One message as a line. */
export const encodeLine = (message: unknown): string => `${JSON.stringify(message)}\n`;
