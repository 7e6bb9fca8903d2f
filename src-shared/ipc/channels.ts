import { z } from 'zod';
import { destinationKindSchema, jobViewSchema } from '../model/job.js';

/**
 * The one channel map. Every renderer→main call is declared here once, as `domain:verb`, with a
 * request and a response schema; types are inferred from the schemas. Hosts (Electron IPC and the
 * WebSocket bridge) carry exactly these channels and nothing else.
 *
 * Request schemas are strict: unknown keys are rejected, so a fuzzed payload cannot smuggle
 * fields (e.g. `__proto__`) past the boundary.
 */

const jobId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const empty = z.strictObject({});
const jobRef = z.strictObject({ id: jobId });
const nothing = z.null();

/** Capability flags: the only way the renderer learns which host it runs in. */
export const appInfoSchema = z.object({
  host: z.enum(['electron', 'web']),
  version: z.string(),
  capabilities: z.object({
    /** Electron: dropped File objects have real paths, send them with `jobs:add-paths`. */
    droppedFilePaths: z.boolean(),
    /** Web host: dropped files are streamed to the host over HTTP (see lib/api.ts). */
    streamDroppedFiles: z.boolean(),
  }),
  defaultDestination: destinationKindSchema,
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const channels = {
  'app:info': { request: empty, response: appInfoSchema },
  'jobs:list': { request: empty, response: z.object({ jobs: z.array(jobViewSchema) }) },
  'jobs:add-paths': {
    request: z.strictObject({
      paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
      destination: destinationKindSchema.optional(),
    }),
    response: z.object({ jobIds: z.array(z.string()), skipped: z.array(z.object({ path: z.string(), reason: z.string() })) }),
  },
  'jobs:pause': { request: jobRef, response: nothing },
  'jobs:resume': { request: jobRef, response: nothing },
  'jobs:cancel': { request: jobRef, response: nothing },
  'jobs:retry': { request: jobRef, response: nothing },
  'jobs:pause-all': { request: empty, response: nothing },
  'jobs:resume-all': { request: empty, response: nothing },
  'jobs:clear-finished': { request: empty, response: nothing },
} as const;

export type ChannelMap = typeof channels;
export type Channel = keyof ChannelMap;
export type RequestOf<C extends Channel> = z.input<ChannelMap[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<ChannelMap[C]['response']>;

/** Push events main→renderer, past tense. `jobs:updated` carries only changed jobs (coalesced). */
export const events = {
  'jobs:updated': z.object({ jobs: z.array(jobViewSchema) }),
  'jobs:removed': z.object({ ids: z.array(z.string()) }),
} as const;

export type EventMap = typeof events;
export type EventName = keyof EventMap;
export type EventPayload<E extends EventName> = z.output<EventMap[E]>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
