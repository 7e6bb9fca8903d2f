import { z } from 'zod';

/** The multipart session a checkpoint resumes (values from /multipart/start). */
export const sessionSchema = z.object({
  uri: z.string().min(1),
  region: z.string().min(1),
  upload_id: z.string().min(1),
  location_url: z.string().min(1),
  location_region: z.string().optional(),
});
export type MultipartSession = z.infer<typeof sessionSchema>;

/** Resumable state of one Filestack multipart upload, saved after every confirmed part. */
export const filestackCheckpointSchema = z.object({
  v: z.literal(1),
  fileSize: z.number().int().positive(),
  partSize: z.number().int().positive(),
  session: sessionSchema,
  /** Confirmed part number (as a JSON key) → ETag as received, quotes included. */
  parts: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
});
export type FilestackCheckpoint = z.infer<typeof filestackCheckpointSchema>;

/**
 * Returns the checkpoint when it is valid and describes this very upload (same size and part
 * size); anything else (old versions, corrupt JSON, another file) means starting fresh.
 */
export function parseCheckpoint(raw: unknown, fileSize: number, partSize: number): FilestackCheckpoint | null {
  const parsed = filestackCheckpointSchema.safeParse(raw);
  if (!parsed.success) return null;
  const cp = parsed.data;
  if (cp.fileSize !== fileSize || cp.partSize !== partSize) return null;
  const partCount = Math.ceil(fileSize / partSize);
  for (const key of Object.keys(cp.parts)) {
    const n = Number(key);
    if (n < 1 || n > partCount) return null;
  }
  return cp;
}
