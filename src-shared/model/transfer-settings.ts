import { z } from 'zod';
import { destinationKindSchema } from './job.js';
import { DEFAULT_LINK_ACTIONS, DEFAULT_TRANSFER_SETTINGS } from './transfer-defaults.js';

/** How a copied link is written (src-shared/links.ts formatLink). */
export const linkFormatSchema = z.enum(['url', 'markdown', 'html', 'bbcode']);
/**
 * What Ferry does with a link as soon as its upload is verified, like ShareX's after-upload
 * tasks: copy it (in a format; null = don't), open it in the browser, show a notification.
 */
export const linkActionsSchema = z.strictObject({
  copy: linkFormatSchema.nullable(),
  open: z.boolean(),
  notify: z.boolean(),
});
export type LinkActions = z.infer<typeof linkActionsSchema>;
/** Link actions per destination (a watch folder may override them with its own). */
export const linkActionsByDestinationSchema = z.strictObject({ local: linkActionsSchema, filestack: linkActionsSchema, imagekit: linkActionsSchema });
/** `system` follows the OS; `light` / `dark` force one. */
export const themeSchema = z.enum(['system', 'light', 'dark']);
/** An ImageKit URL endpoint (http(s)), or '' for "not set". Not a secret. */
export const urlEndpointSchema = z
  .string()
  .max(2048)
  .refine((v) => v === '' || /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(v), 'must be an http(s) URL');

/** Storage back ends a Filestack store object may name (spec §3.6). */
export const FILESTACK_STORE_LOCATIONS = ['s3', 'gcs', 'azure', 'rackspace', 'dropbox'] as const;
/** A storage path: no `..` segment, no leading `/` (Filestack keys are relative to the container). */
export const filestackStorePathSchema = z
  .string()
  .max(1024)
  .refine((v) => !v.startsWith('/') && !v.split('/').includes('..'), 'must be a relative path without ".."');
/** Bucket names: letters, digits, dot, dash and underscore. */
export const filestackContainerSchema = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "-" and "_"');

// Numbers first: the fields every settings file has had since the first release.
const transferFields = {
  /** Files uploading at once. */
  fileConcurrency: z.number().int().min(1).max(16),
  /** Parts of one file in flight at once (multipart uploads). */
  partConcurrency: z.number().int().min(1).max(20),
  /** Upload cap for the whole app in bytes per second; 0 = unlimited. */
  bandwidthLimit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
};
// Added later; each has a default so older settings files still load.
const preferenceFields = {
  linkFormat: linkFormatSchema,
  theme: themeSchema,
  /** Where drops go when no destination is named; falls back to `local` while it is not configured. */
  defaultDestination: destinationKindSchema,
  /** ImageKit delivery prefix, e.g. https://ik.imagekit.io/your_id (the keys live in the keychain). */
  imagekitUrlEndpoint: urlEndpointSchema,
  /** Where the `filestack` destination stores files (spec §3.6 store object). */
  filestackLocation: z.enum(FILESTACK_STORE_LOCATIONS),
  /** A folder ("uploads/") or '' for the storage root; dropped folders keep their structure below it. */
  filestackStorePath: filestackStorePathSchema,
  /** A bucket/container name, or '' for the app's default. */
  filestackContainer: filestackContainerSchema,
  /** After-upload link actions per destination. */
  linkActions: linkActionsByDestinationSchema,
};

/**
 * How Ferry moves bytes (files at once, parts per file at once, a bandwidth cap) and the user's
 * preferences (link format, theme, default destination). One schema serves the contract
 * (`settings:get` / `settings:set`) and the settings file on disk.
 */
export const transferSettingsSchema = z.strictObject({
  ...transferFields,
  linkFormat: preferenceFields.linkFormat.default('url'),
  theme: preferenceFields.theme.default('system'),
  defaultDestination: preferenceFields.defaultDestination.default('local'),
  imagekitUrlEndpoint: preferenceFields.imagekitUrlEndpoint.default(''),
  filestackLocation: preferenceFields.filestackLocation.default('s3'),
  filestackStorePath: preferenceFields.filestackStorePath.default(''),
  filestackContainer: preferenceFields.filestackContainer.default(''),
  linkActions: preferenceFields.linkActions.default(() => structuredClone(DEFAULT_LINK_ACTIONS)),
});
export type TransferSettings = z.output<typeof transferSettingsSchema>;

/**
 * A change request: any subset of the settings (unknown keys are refused). Built without the
 * defaults on purpose: a patch that omits a field must leave it alone, not reset it.
 */
export const transferSettingsPatchSchema = z.strictObject({ ...transferFields, ...preferenceFields }).partial();
export type TransferSettingsPatch = z.infer<typeof transferSettingsPatchSchema>;

// What a fresh install uses; kept in a zod-free module so the renderer can import it too.
export { DEFAULT_TRANSFER_SETTINGS };
