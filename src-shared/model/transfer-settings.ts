import { z } from 'zod';
import { destinationKindSchema } from './job.js';

/** How a copied link is written (src-shared/links.ts formatLink). */
export const linkFormatSchema = z.enum(['url', 'markdown', 'html']);
/** `system` follows the OS; `light` / `dark` force one. */
export const themeSchema = z.enum(['system', 'light', 'dark']);
/** An ImageKit URL endpoint (http(s)), or '' for "not set". Not a secret. */
export const urlEndpointSchema = z
  .string()
  .max(2048)
  .refine((v) => v === '' || /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(v), 'must be an http(s) URL');

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
});
export type TransferSettings = z.output<typeof transferSettingsSchema>;

/**
 * A change request: any subset of the settings (unknown keys are refused). Built without the
 * defaults on purpose: a patch that omits a field must leave it alone, not reset it.
 */
export const transferSettingsPatchSchema = z.strictObject({ ...transferFields, ...preferenceFields }).partial();
export type TransferSettingsPatch = z.infer<typeof transferSettingsPatchSchema>;

/** What a fresh install uses. */
export const DEFAULT_TRANSFER_SETTINGS: TransferSettings = Object.freeze({
  fileConcurrency: 2,
  partConcurrency: 3,
  bandwidthLimit: 0,
  linkFormat: 'url',
  theme: 'system',
  defaultDestination: 'local',
  imagekitUrlEndpoint: '',
});
