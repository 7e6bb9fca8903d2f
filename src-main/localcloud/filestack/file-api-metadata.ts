/**
 * File metadata JSON (spec §6) for `/api/file/<handle>/metadata` and the CDN's
 * `/<handle>/metadata`: the Go model's default keys plus every attribute asked `=true`, minus
 * those asked `=false`. Digests are lowercase hex (the spec does not settle real Filestack's
 * encoding; our client accepts hex or base64). `width`/`height`/`exif` come from sharp for images
 * and are left out for other files.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { loadSharp } from '../processing/sharp-lazy.js';
import type { CloudContext } from '../context.js';
import { sendJson } from '../router.js';
import type { StoredFile } from '../storage.js';
import { enforceSecurity, type SecurityPair } from './security.js';

/** Attributes answered when the query names none as true (the Go SDK's model). */
export const DEFAULT_METADATA_ATTRS = ['filename', 'mimetype', 'size', 'uploaded', 'writeable', 'container', 'location', 'key', 'path'] as const;

/** Every attribute the local cloud can answer. */
export const METADATA_ATTRS = [...DEFAULT_METADATA_ATTRS, 'width', 'height', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'exif', 'handle'] as const;

const EXTRA_DIGESTS = ['sha1', 'sha224', 'sha384', 'sha512'] as const;

/** Which attributes a query asks for (`attr=true|false`, bare `attr` = true). */
export function requestedAttrs(q: URLSearchParams): Set<string> {
  const keys = new Set<string>(DEFAULT_METADATA_ATTRS);
  for (const [k, v] of q) {
    if (k === 'policy' || k === 'signature' || k === 'key') continue;
    if (v === 'false') keys.delete(k);
    else if (v === 'true' || v === '') keys.add(k);
  }
  return keys;
}

async function digests(file: string, names: readonly string[]): Promise<Record<string, string>> {
  const hashes = names.map((n) => [n, createHash(n)] as const);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) for (const [, h] of hashes) h.update(chunk);
  return Object.fromEntries(hashes.map(([n, h]) => [n, h.digest('hex')]));
}

async function imageFacts(file: string): Promise<{ width?: number; height?: number; exif?: Record<string, unknown> }> {
  try {
    const m = await (await loadSharp())(file).metadata();
    const exif: Record<string, unknown> = {};
    // Only facts sharp decodes itself; a full EXIF tag dump would need another parser.
    if (m.orientation !== undefined) exif.Orientation = m.orientation;
    if (m.density !== undefined) exif.XResolution = m.density;
    return { ...(m.width !== undefined ? { width: m.width } : {}), ...(m.height !== undefined ? { height: m.height } : {}), exif };
  } catch {
    return {};
  }
}

/** Builds the metadata object for the requested attributes. */
export async function buildMetadata(ctx: CloudContext, stored: StoredFile, keys: ReadonlySet<string>): Promise<Record<string, unknown>> {
  // A multipart upload's MD5 is hashed on the first request for it, then cached (storage.md5Of).
  const file = keys.has('md5') ? await ctx.storage.md5Of(stored) : stored;
  const all: Record<string, unknown> = {
    handle: file.handle,
    filename: file.filename,
    mimetype: file.mimetype,
    size: file.size,
    uploaded: file.uploadedAt,
    writeable: true,
    container: file.container,
    location: file.location,
    key: file.key,
    path: file.path ?? file.key,
    ...(file.md5 !== undefined ? { md5: file.md5 } : {}),
    ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
  };
  const blob = ctx.storage.blobPath(file.handle);
  // Uploads store only the MD5 (hashing twice would slow every upload); a SHA-256 is read on demand.
  const wantedDigests: string[] = EXTRA_DIGESTS.filter((d) => keys.has(d));
  if (keys.has('sha256') && file.sha256 === undefined) wantedDigests.push('sha256');
  if (wantedDigests.length > 0) Object.assign(all, await digests(blob, wantedDigests));
  if ((keys.has('width') || keys.has('height') || keys.has('exif')) && file.mimetype.startsWith('image/')) {
    Object.assign(all, await imageFacts(blob));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in all) out[k] = all[k];
  return out;
}

/**
 * Answers a metadata request. The caller has checked the `stat` call; EXIF additionally needs
 * the `exif` call, which a policy without `call` does not grant (spec §2.1).
 */
export async function sendFileMetadata(res: ServerResponse, ctx: CloudContext, file: StoredFile, q: URLSearchParams, pair: SecurityPair): Promise<void> {
  const keys = requestedAttrs(q);
  const app = ctx.apps.get(file.apikey);
  if (keys.has('exif') && app) enforceSecurity(app, pair, { call: 'exif', handle: file.handle });
  sendJson(res, 200, await buildMetadata(ctx, file, keys));
}
