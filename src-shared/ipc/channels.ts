import { z } from 'zod';
import { appErrorSchema, destinationKindSchema, jobViewSchema } from '../model/job.js';
import { LIBRARY_SORTS, LIBRARY_TYPES, MADE_KINDS } from '../model/library.js';
import { MAX_SECRET_LENGTH, SECRET_NAMES } from '../model/secrets.js';
import { linkActionsSchema, transferSettingsPatchSchema, transferSettingsSchema } from '../model/transfer-settings.js';

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
    /** Electron: `dialog:choose` opens a native dialog; Choose files / Choose folder use it. */
    nativeDialogs: z.boolean(),
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
/**
 * A folder path as the person typed it (`watch:add`, a move target): any text; the host reads it
 * (`~` is home), refuses a relative one and answers in words (src-main/watch/folder-check.ts).
 */
const typedPath = z
  .string()
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain NUL');
const afterUploadRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('keep') }),
  z.strictObject({ kind: z.literal('move'), to: typedPath }),
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
  /** This folder's own after-upload link actions; absent or null: its destination's (Settings). */
  linkActions: linkActionsSchema.nullable().optional(),
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

/** Transform studio: a chain for the file's destination (Filestack tasks or ImageKit steps). */
const fsScalar = z.union([z.string().max(256), z.number().finite(), z.boolean()]);
const fsValue = z.union([fsScalar, z.array(z.union([fsScalar, z.array(fsScalar).max(16)])).max(16)]);
const studioKey = z.string().min(1).max(32).regex(/^[a-z][a-z0-9_]*$/i);
export const studioChainSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('filestack'),
    steps: z.array(z.strictObject({ name: studioKey, params: z.record(studioKey, fsValue).optional() })).max(20),
  }),
  z.strictObject({
    kind: z.literal('imagekit'),
    steps: z.array(z.record(studioKey, z.union([z.string().max(256), z.number().finite(), z.boolean(), z.null()]))).max(20),
  }),
]);
export type StudioChain = z.infer<typeof studioChainSchema>;
/** What sharp reads from an image: pixels, container format and size in bytes. */
export const imageFactsSchema = z.object({ width: z.number(), height: z.number(), format: z.string(), bytes: z.number() });
export type ImageFacts = z.infer<typeof imageFactsSchema>;
const studioRequest = z.strictObject({ jobId, chain: studioChainSchema });

/** Media jobs: conversion presets the local cloud renders (see localcloud/filestack/av-params.ts). */
export const MEDIA_PRESETS = ['mp4', 'webm', 'mp3', 'm4a', 'ogg'] as const;
export const mediaStatusSchema = z.enum(['pending', 'started', 'completed', 'failed']);
/** One conversion as the UI shows it; `timeline` starts with the source's upload time. */
export const mediaJobSchema = z.object({
  id: z.string(),
  sourceJobId: z.string(),
  sourceName: z.string(),
  preset: z.enum(MEDIA_PRESETS),
  status: mediaStatusSchema,
  timeline: z.array(z.object({ status: z.union([z.literal('uploaded'), mediaStatusSchema]), at: z.number() })),
  url: z.string().optional(),
  /** The converted file's Library entry, once it is recorded there. */
  libraryId: z.string().optional(),
  error: appErrorSchema.optional(),
});
export type MediaJob = z.infer<typeof mediaJobSchema>;

/** Which destinations can take uploads now (`local` always); `reason` says what is missing. */
export const destinationsListSchema = z.object({
  destinations: z.array(z.object({ kind: destinationKindSchema, configured: z.boolean(), reason: z.string().nullable() })),
  /** The default destination setting, or `local` while that one is not configured. */
  defaultDestination: destinationKindSchema,
});
export type DestinationsList = z.infer<typeof destinationsListSchema>;

/** One finished upload as the Library shows it; `id` is the job id. Times are epoch ms. */
export const libraryItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  destination: destinationKindSchema,
  url: z.string(),
  remoteId: z.string(),
  size: z.number().int().nonnegative(),
  mimetype: z.string().optional(),
  finishedAt: z.number(),
  /** A 96×96 processed copy for images, else null. */
  thumbnailUrl: z.string().nullable(),
  /** Where it sat inside a dropped folder (`trip/day1/a.jpg`), or null for a single file. */
  relativePath: z.string().nullable(),
  /**
   * How Ferry made it, when it is not a plain upload: the same bytes dropped again under this name
   * (`duplicate`, same link), a stored Studio result or a Media conversion. `id` is the source's
   * Library id; `name` is null once the source has left the Library.
   */
  madeFrom: z.object({ kind: z.enum(MADE_KINDS), id: z.string(), name: z.string().nullable() }).nullable(),
});
export type LibraryItem = z.infer<typeof libraryItemSchema>;
/** Calls a Filestack/local signed link may allow (ImageKit links only expire). */
export const SIGNED_LINK_CALLS = ['read', 'convert'] as const;
/** A signed link made for a library item; `expiresAt` in epoch ms. */
export const signedLinkSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  url: z.string(),
  calls: z.array(z.enum(SIGNED_LINK_CALLS)),
  ttlSeconds: z.number().int().positive(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type SignedLink = z.infer<typeof signedLinkSchema>;

/** What the host asks to be done with fresh links: `copy` (all of a batch so far), links to open, a notice to show. */
export const linkActionsEventSchema = z.object({
  copy: z.object({ text: z.string(), count: z.number().int().positive() }).nullable(),
  open: z.array(z.string()),
  notice: z.object({ title: z.string(), body: z.string(), jobId: z.string() }).nullable(),
});
export type LinkActionsEvent = z.infer<typeof linkActionsEventSchema>;

const epochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** The Library's search, filters and order, shared by `library:list` and `library:place`. */
const libraryFilter = {
  query: z.string().max(256).optional(),
  destination: destinationKindSchema.optional(),
  /** By MIME type; `media` = audio or video, `other` = none of image, audio, video. */
  type: z.enum(LIBRARY_TYPES).optional(),
  /** Only entries inside this folder of a dropped folder (`trip/`, ending in `/`), at any depth. */
  folder: z.string().min(2).max(4096).endsWith('/').optional(),
  /** Finished at or after this time (epoch ms). */
  since: epochMs.optional(),
  /** Finished before this time (epoch ms). */
  before: epochMs.optional(),
  /** At least this many bytes. */
  minSize: bytes.optional(),
  /** Fewer than this many bytes. */
  maxSize: bytes.optional(),
  /** Order of the pages; `newest` when absent. */
  sort: z.enum(LIBRARY_SORTS).optional(),
};

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
    request: watchRulesSchema.partial().extend({ path: typedPath, afterUpload: afterUploadRequestSchema.optional(), enabled: z.boolean().optional() }),
    response: watchFolderViewSchema,
  },
  'watch:update': { request: watchRulesSchema.partial().extend({ id: watchId, afterUpload: afterUploadRequestSchema.optional() }), response: watchFolderViewSchema },
  'watch:remove': { request: z.strictObject({ id: watchId }), response: nothing },
  'watch:set-enabled': { request: z.strictObject({ id: watchId, enabled: z.boolean() }), response: watchFolderViewSchema },
  /** Finished uploads and files Ferry made, in `sort` order (newest first by default); `query` matches the name or folder path. Default page: 50 from 0. */
  'library:list': {
    request: z.strictObject({
      ...libraryFilter,
      limit: z.number().int().min(1).max(500).optional(),
      offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    }),
    response: z.object({ total: z.number().int().nonnegative(), items: z.array(libraryItemSchema) }),
  },
  /**
   * Where these entries sit in the order and filter of `library:list` (0-based `index` among all
   * matches), with the entry; ids that do not match are left out. An open Library places entries
   * announced by `library:added` with it, keeping what is loaded and scrolled.
   */
  'library:place': {
    request: z.strictObject({ ...libraryFilter, ids: z.array(jobId).min(1).max(500) }),
    response: z.object({ total: z.number().int().nonnegative(), placed: z.array(z.object({ index: z.number().int().nonnegative(), item: libraryItemSchema })) }),
  },
  /** Every folder the Library's entries came from (`trip/`, `trip/day1/`), A–Z; `count` includes the folders inside. */
  'library:folders': {
    request: empty,
    response: z.object({ folders: z.array(z.object({ path: z.string(), count: z.number().int().positive() })) }),
  },
  /** Deletes the remote file, then forgets it (and its signed links). */
  'library:delete': { request: jobRef, response: nothing },
  'links:sign': {
    request: z.strictObject({
      id: jobId,
      ttlSeconds: z.number().int().min(60).max(31_536_000),
      calls: z.array(z.enum(SIGNED_LINK_CALLS)).min(1).max(SIGNED_LINK_CALLS.length).optional(),
    }),
    response: signedLinkSchema,
  },
  /** Signed links made so far (all, or one item's), newest first. */
  'links:list': { request: z.strictObject({ id: jobId.optional() }), response: z.object({ links: z.array(signedLinkSchema) }) },
  'destinations:list': { request: empty, response: destinationsListSchema },
  /** Browser-mode "upload from clipboard" for a link: main downloads it (capped) and queues it. */
  'jobs:add-url': {
    request: z.strictObject({ url: z.string().min(1).max(8192).regex(/^https?:\/\//i, 'must be an http(s) URL'), destination: destinationKindSchema.optional() }),
    response: z.object({ jobIds: z.array(z.string()) }),
  },
  /** Renders a chain on an uploaded image; `url` loads in an <img>, before/after come from sharp. */
  'studio:preview': {
    request: studioRequest,
    /** `originalUrl` reads the stored original (signed when the app requires security). */
    response: z.object({ url: z.string(), originalUrl: z.string(), before: imageFactsSchema, after: imageFactsSchema }),
  },
  /** Renders the chain and stores the result as a new file; `libraryId` is its Library entry (null when there is no history). */
  'studio:store': { request: studioRequest, response: z.object({ url: z.string(), remoteId: z.string(), libraryId: z.string().nullable() }) },
  'media:convert': {
    request: z.strictObject({
      jobId,
      preset: z.enum(MEDIA_PRESETS),
      width: z.number().int().min(1).max(10_000).optional(),
      height: z.number().int().min(1).max(10_000).optional(),
      /** kbit/s */
      videoBitrate: z.number().int().min(1).max(100_000).optional(),
      /** kbit/s */
      audioBitrate: z.number().int().min(1).max(999).optional(),
    }),
    response: z.object({ mediaJobId: z.string() }),
  },
  'media:list': { request: empty, response: z.object({ jobs: z.array(mediaJobSchema) }) },
  /**
   * A native open dialog shown by main (hosts with `nativeDialogs`). What the user picks becomes
   * readable through `jobs:add-paths` and `watch:add` (the path policy grants it); [] = canceled.
   */
  'dialog:choose': {
    request: z.strictObject({
      kind: z.enum(['files', 'folder']),
      /** Default: several files, one folder. */
      multiple: z.boolean().optional(),
      title: z.string().min(1).max(120).optional(),
    }),
    response: z.object({ paths: z.array(z.string()) }),
  },
} as const;

export type ChannelMap = typeof channels;
export type Channel = keyof ChannelMap;
export type RequestOf<C extends Channel> = z.input<ChannelMap[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<ChannelMap[C]['response']>;

/** Push events main→renderer, past tense. `jobs:updated` carries only changed jobs (coalesced). */
export const events = {
  'jobs:updated': z.object({ jobs: z.array(jobViewSchema) }),
  'jobs:removed': z.object({ ids: z.array(z.string()) }),
  /** Media jobs whose status changed (only those). */
  'media:updated': z.object({ jobs: z.array(mediaJobSchema) }),
  /** Show this item (a desktop notification was clicked): switch to its view and bring it into sight. */
  'app:reveal': z.object({ view: z.enum(['queue', 'media']), id: z.string() }),
  /**
   * After-upload link actions to perform now (src-main/hosts/link-actions.ts). The Electron shell
   * performs them itself; in browser mode the window does (clipboard, new tab, notification).
   */
  'app:link-actions': linkActionsEventSchema,
  /**
   * Entries were added to the Library (an upload finished, from any intake; a Studio result or a
   * conversion was stored); coalesced. The window places them with `library:place`.
   */
  'library:added': z.object({ ids: z.array(z.string()) }),
} as const;

export type EventMap = typeof events;
export type EventName = keyof EventMap;
export type EventPayload<E extends EventName> = z.output<EventMap[E]>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
