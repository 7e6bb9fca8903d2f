/**
 * zod schemas of ImageKit answers (spec §2.3, §5.2, §5.7, §6). Objects are loose: unknown keys are
 * kept (the server adds fields over time) and fields ImageKit documents as sometimes absent or
 * `null` are optional/nullable, so a newer server does not break an older client.
 */
import { z } from 'zod';

const aiTag = z.looseObject({ name: z.string(), confidence: z.number().optional(), source: z.string().optional() });
const versionInfo = z.looseObject({ id: z.string(), name: z.string() });
const jsonObject = z.record(z.string(), z.unknown());

/** §5.7 metadata object (also inside an upload answer when `responseFields` asks for it). */
export const metadataSchema = z.looseObject({
  height: z.number().optional(),
  width: z.number().optional(),
  size: z.number().optional(),
  format: z.string().optional(),
  hasColorProfile: z.boolean().optional(),
  quality: z.number().optional(),
  density: z.number().optional(),
  hasTransparency: z.boolean().optional(),
  /** 16 lowercase hex digits; compare with pHashDistance. */
  pHash: z.string().optional(),
  exif: jsonObject.optional(),
  bitRate: z.number().optional(),
  duration: z.number().optional(),
  audioCodec: z.string().optional(),
  videoCodec: z.string().optional(),
});
export type FileMetadata = z.infer<typeof metadataSchema>;

/** §2.3 upload answer. `thumbnailUrl` here vs `thumbnail` in file details is ImageKit's own naming. */
export const uploadResponseSchema = z.looseObject({
  fileId: z.string().min(1),
  name: z.string(),
  url: z.string(),
  thumbnailUrl: z.string().nullish(),
  height: z.number().nullish(),
  width: z.number().nullish(),
  size: z.number().int().nonnegative(),
  filePath: z.string(),
  fileType: z.string(),
  versionInfo: versionInfo.optional(),
  AITags: z.array(aiTag).nullish(),
  extensionStatus: z.record(z.string(), z.string()).optional(),
  tags: z.array(z.string()).nullish(),
  customCoordinates: z.string().nullish(),
  isPrivateFile: z.boolean().optional(),
  isPublished: z.boolean().optional(),
  embeddedMetadata: jsonObject.nullish(),
  customMetadata: jsonObject.optional(),
  metadata: metadataSchema.optional(),
  selectedFieldsSchema: jsonObject.optional(),
  bitRate: z.number().optional(),
  duration: z.number().optional(),
  audioCodec: z.string().optional(),
  videoCodec: z.string().optional(),
  description: z.string().optional(),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

/** §5.2 file or file-version object. */
export const fileObjectSchema = z.looseObject({
  type: z.enum(['file', 'file-version']),
  fileId: z.string(),
  name: z.string(),
  filePath: z.string(),
  url: z.string(),
  thumbnail: z.string().nullish(),
  fileType: z.string(),
  size: z.number(),
  height: z.number().nullish(),
  width: z.number().nullish(),
  hasAlpha: z.boolean().optional(),
  mime: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  tags: z.array(z.string()).nullable().optional(),
  AITags: z.array(aiTag).nullable().optional(),
  versionInfo: versionInfo.optional(),
  embeddedMetadata: jsonObject.nullish(),
  customCoordinates: z.string().nullish(),
  customMetadata: jsonObject.optional(),
  isPrivateFile: z.boolean().optional(),
  isPublished: z.boolean().optional(),
  extensionStatus: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
});
export type FileObject = z.infer<typeof fileObjectSchema>;

/** §5.2 folder object. */
export const folderObjectSchema = z.looseObject({
  type: z.literal('folder'),
  name: z.string(),
  folderId: z.string().optional(),
  folderPath: z.string(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type FolderObject = z.infer<typeof folderObjectSchema>;

/** One entry of a list/search answer. */
export const listEntrySchema = z.union([fileObjectSchema, folderObjectSchema]);
export type ListEntry = z.infer<typeof listEntrySchema>;

export const fileListSchema = z.array(listEntrySchema);
export const fileVersionsSchema = z.array(fileObjectSchema);

/** Bulk answers (§5.5). */
export const bulkDeleteResponseSchema = z.looseObject({ successfullyDeletedFileIds: z.array(z.string()) });
export const bulkUpdateResponseSchema = z.looseObject({ successfullyUpdatedFileIds: z.array(z.string()) });

/** Rename answer: `{}` or `{purgeRequestId}`. An empty body is read as `{}`. */
export const renameResponseSchema = z.looseObject({ purgeRequestId: z.string().optional() });

export const bulkJobSchema = z.looseObject({ jobId: z.string() });
export const bulkJobStatusSchema = z.looseObject({
  jobId: z.string(),
  type: z.string(),
  status: z.string(),
  purgeRequestId: z.string().optional(),
});
export type BulkJobStatus = z.infer<typeof bulkJobStatusSchema>;

export const purgeResponseSchema = z.looseObject({ requestId: z.string() });
export const purgeStatusSchema = z.looseObject({ status: z.string() });
