import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { z } from 'zod';
import { HttpError, MAX_API_BODY_BYTES, readBody } from '../router.js';

/**
 * Request bodies of /multipart/* (spec §3.2–3.5): JSON, or the legacy multipart/form-data
 * variant (§3.8) which is normalised here to the JSON shape so handlers see one format.
 */

const storeSchema = z
  .object({
    location: z.string().optional(),
    path: z.string().optional(),
    container: z.string().optional(),
    region: z.string().optional(),
    access: z.enum(['public', 'private']).optional(),
    workflows: z.array(z.unknown()).optional(),
  })
  .loose();
export type StoreParams = z.infer<typeof storeSchema>;

const security = { policy: z.string().optional(), signature: z.string().optional() };
const sessionKeys = { apikey: z.string().min(1), uri: z.string().min(1), region: z.string().min(1), upload_id: z.string().min(1) };

export const startBodySchema = z.object({
  apikey: z.string().min(1),
  filename: z.string().min(1).max(1024),
  mimetype: z.string().optional(),
  size: z.number().int().nonnegative(),
  store: storeSchema.optional(),
  fii: z.boolean().optional(),
  ...security,
});
export type StartBody = z.infer<typeof startBodySchema>;

/** S3's largest part is 5 GiB. */
const MAX_PART_BYTES = 5 * 1024 ** 3;

export const uploadBodySchema = z.object({
  ...sessionKeys,
  part: z.number().int().min(1).max(10_000),
  size: z.number().int().nonnegative().max(MAX_PART_BYTES),
  md5: z.string().optional(),
  store: storeSchema.optional(),
  fii: z.boolean().optional(),
  offset: z.number().int().nonnegative().optional(),
  ...security,
});
export type UploadBody = z.infer<typeof uploadBodySchema>;

export const partRefSchema = z.object({ part_number: z.number().int().min(1), etag: z.string() });
export type PartRef = z.infer<typeof partRefSchema>;

export const completeBodySchema = z.object({
  ...sessionKeys,
  filename: z.string().min(1).max(1024).optional(),
  mimetype: z.string().optional(),
  size: z.number().int().nonnegative(),
  store: storeSchema.optional(),
  // Ruby re-posts 202 polls with `"parts": null`; the parts of the first call are then reused.
  parts: z.array(partRefSchema).nullable().optional(),
  upload_tags: z.record(z.string().max(128), z.string().max(256)).optional(),
  fii: z.boolean().optional(),
  ...security,
});
export type CompleteBody = z.infer<typeof completeBodySchema>;

/** Reads and validates a /multipart/* body; malformed or invalid → 400 with the first problem. */
export async function parseApiBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const raw = type.startsWith('multipart/form-data') ? normaliseForm(await readForm(req)) : await readJson(req);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new HttpError(400, 'bad_request', `Invalid request: ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'bad_request', 'Request body is empty; expected JSON.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON.');
  }
}

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fieldSize: MAX_API_BODY_BYTES, fields: 100, fileSize: 0 } });
    } catch {
      reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data request.'));
      return;
    }
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    // PHP adds an empty `files` part; nothing in these calls carries file bytes.
    bb.on('file', (_name, stream) => stream.resume());
    bb.on('error', () => reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data request.')));
    bb.on('close', () => resolve(fields));
    req.pipe(bb);
  });
}

const NUMERIC_FIELDS = new Set(['size', 'part', 'offset']);

/** Maps legacy flat fields (`store_location`, `parts` "1:etag;2:etag", `multipart=true`) to the JSON shape. */
function normaliseForm(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const store: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('store_')) store[name.slice('store_'.length)] = value;
    else if (NUMERIC_FIELDS.has(name)) out[name] = /^\d+$/.test(value) ? Number(value) : value;
    else if (name === 'multipart' || name === 'fii') out.fii = value === 'true';
    else if (name === 'parts') out.parts = parsePartsString(value);
    else if (name === 'upload_tags') out.upload_tags = safeJson(value);
    else out[name] = value;
  }
  if (Object.keys(store).length > 0) out.store = store;
  return out;
}

function parsePartsString(value: string): PartRef[] {
  return value
    .split(';')
    .filter((s) => s.trim() !== '')
    .map((entry) => {
      const idx = entry.indexOf(':');
      return { part_number: Number(entry.slice(0, idx)), etag: entry.slice(idx + 1) };
    });
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
