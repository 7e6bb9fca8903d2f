import { z } from 'zod';
import { appErrorSchema, destinationKindSchema, jobViewSchema } from '../model/job.js';
import { MAX_SECRET_LENGTH, SECRET_NAMES } from '../model/secrets.js';
import { transferSettingsPatchSchema, transferSettingsSchema } from '../model/transfer-settings.js';

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

/** Where secrets live and which are set; `error` explains an unavailable keychain (row 19). */
export const secretsStatusSchema = z.object({
  backend: z.enum(['secret-service', 'keychain', 'credential-manager', 'environment']).nullable(),
  error: appErrorSchema.nullable(),
  secrets: z.record(z.enum(SECRET_NAMES), z.enum(['set', 'not-set'])),
});
export type SecretsStatus = z.infer<typeof secretsStatusSchema>;

/** Tokens a watch folder's remote path template may use (see src-main/watch/remote-path.ts). */
export const WATCH_TEMPLATE_TOKENS = ['folder', 'path', 'dir', 'name', 'stem', 'ext', 'yyyy', 'mm', 'dd'] as const;
const watchTemplate = z
  .string()
  .min(1)
  .max(512)
  .regex(new RegExp(`^(?:[^{}\\u0000]|\\{(?:${WATCH_TEMPLATE_TOKENS.join('|')})\\})+$`), 'unknown template token');
// Absolute POSIX or Windows drive path; the host resolves and checks it further.
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0') && (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)), 'must be an absolute path');
const watchId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const glob = z.string().min(1).max(256);

/** What happens to a local file once its upload is verified (`done`); never before. */
export const afterUploadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('keep') }),
  z.strictObject({ kind: z.literal('move'), to: absolutePath }),
  z.strictObject({ kind: z.literal('delete') }),
]);
/** A watch folder's rules; every field has a default on `watch:add`. */
export const watchRulesSchema = z.strictObject({
  destination: destinationKindSchema,
  remotePathTemplate: watchTemplate,
  include: z.array(glob).max(64),
  exclude: z.array(glob).max(64),
  recursive: z.boolean(),
  afterUpload: afterUploadSchema,
});
/** A watched folder as persisted. */
export const watchFolderSchema = watchRulesSchema.extend({ id: watchId, path: absolutePath, enabled: z.boolean() });
export type WatchFolder = z.infer<typeof watchFolderSchema>;
/** A watched folder plus its live status, for the UI. `errors` holds the most recent problems. */
export const watchFolderViewSchema = watchFolderSchema.extend({
  watching: z.boolean(),
  /** Files waiting to settle, being checked or uploading. */
  pending: z.number().int().nonnegative(),
  /** Files the ledger records as uploaded from this folder. */
  uploaded: z.number().int().nonnegative(),
  errors: z.array(z.object({ at: z.number(), path: z.string().nullable(), message: z.string() })),
});
export type WatchFolderView = z.infer<typeof watchFolderViewSchema>;

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
  /** Reorders the waiting queue: `id` starts before `before`, or first with `toTop`. */
  'jobs:move': {
    request: z
      .strictObject({ id: jobId, before: jobId.optional(), toTop: z.literal(true).optional() })
      .refine((r) => (r.before === undefined) !== (r.toTop === undefined), 'give exactly one of before or toTop'),
    response: nothing,
  },
  /** A `duplicate` job uploads after all. */
  'jobs:upload-anyway': { request: jobRef, response: nothing },
  'settings:get': { request: empty, response: transferSettingsSchema },
  /** Any subset of the settings; answers the full settings after the change. */
  'settings:set': { request: transferSettingsPatchSchema, response: transferSettingsSchema },
  /** The renderer learns only whether each secret is set; values never travel main→renderer. */
  'secrets:status': { request: empty, response: secretsStatusSchema },
  'secrets:set': {
    request: z.strictObject({ name: z.enum(SECRET_NAMES), value: z.string().min(1).max(MAX_SECRET_LENGTH) }),
    response: nothing,
  },
  'secrets:delete': { request: z.strictObject({ name: z.enum(SECRET_NAMES) }), response: nothing },
  'watch:list': { request: empty, response: z.object({ folders: z.array(watchFolderViewSchema) }) },
  'watch:add': {
    request: watchRulesSchema.partial().extend({ path: absolutePath, enabled: z.boolean().optional() }),
    response: watchFolderViewSchema,
  },
  'watch:update': { request: watchRulesSchema.partial().extend({ id: watchId }), response: watchFolderViewSchema },
  'watch:remove': { request: z.strictObject({ id: watchId }), response: nothing },
  'watch:set-enabled': { request: z.strictObject({ id: watchId, enabled: z.boolean() }), response: watchFolderViewSchema },
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
