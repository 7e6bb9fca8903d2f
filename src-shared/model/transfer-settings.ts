import { z } from 'zod';

/**
 * How Ferry moves bytes: files at once, parts per file at once, and a bandwidth cap. One schema
 * serves the contract (`settings:get` / `settings:set`) and the settings file on disk.
 */
export const transferSettingsSchema = z.strictObject({
  /** Files uploading at once. */
  fileConcurrency: z.number().int().min(1).max(16),
  /** Parts of one file in flight at once (multipart uploads). */
  partConcurrency: z.number().int().min(1).max(20),
  /** Upload cap for the whole app in bytes per second; 0 = unlimited. */
  bandwidthLimit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type TransferSettings = z.infer<typeof transferSettingsSchema>;

/** A change request: any subset of the settings (unknown keys are refused). */
export const transferSettingsPatchSchema = transferSettingsSchema.partial();
export type TransferSettingsPatch = z.infer<typeof transferSettingsPatchSchema>;

/** What a fresh install uses. */
export const DEFAULT_TRANSFER_SETTINGS: TransferSettings = Object.freeze({
  fileConcurrency: 2,
  partConcurrency: 3,
  bandwidthLimit: 0,
});
