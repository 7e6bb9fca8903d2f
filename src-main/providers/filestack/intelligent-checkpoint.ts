import { z } from 'zod';
import { sessionSchema } from './checkpoint.js';
import { FII_PART_SIZE } from './chunk-size.js';

/**
 * Resumable state of an intelligent-ingestion upload. `mode: 'fii'` keeps it apart from the
 * regular checkpoint (which needs `parts`), so neither path mistakes the other's state.
 */
export const intelligentCheckpointSchema = z.object({
  v: z.literal(1),
  mode: z.literal('fii'),
  fileSize: z.number().int().positive(),
  partSize: z.literal(FII_PART_SIZE),
  session: sessionSchema,
  /** Parts the server confirmed with /multipart/commit. */
  committed: z.array(z.number().int().positive()),
  /** Fallback mode: parts sent the regular way, part number → ETag as received. */
  etags: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
  /** Fallback mode: a regular part failed, so every remaining part goes up chunked. */
  switched: z.boolean(),
});
export type IntelligentCheckpoint = z.infer<typeof intelligentCheckpointSchema>;

/** The checkpoint when it is valid and describes this file; anything else means starting fresh. */
export function parseIntelligentCheckpoint(raw: unknown, fileSize: number): IntelligentCheckpoint | null {
  const parsed = intelligentCheckpointSchema.safeParse(raw);
  if (!parsed.success || parsed.data.fileSize !== fileSize) return null;
  const partCount = Math.ceil(fileSize / FII_PART_SIZE);
  const numbers = [...parsed.data.committed, ...Object.keys(parsed.data.etags).map(Number)];
  return numbers.every((n) => n >= 1 && n <= partCount) ? parsed.data : null;
}
