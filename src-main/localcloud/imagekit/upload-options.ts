/**
 * Parses and validates the upload's text fields (spec §2.1) into typed options. Booleans are the
 * strings `true`/`false`; JSON fields are parsed, never compared as text (py4 adds spaces); v6's
 * literal `undefined` means "not given".
 */
import { parseTransformation } from '../../../src-shared/imagekit/transform-parser.js';
import { IkError, normalizeFolder, parseBool } from './http.js';

/** One requested extension (names per §2.1; the emulator runs none of them). */
export type Extension = { readonly name: string } & Readonly<Record<string, unknown>>;

/** Typed upload options. */
export type UploadOptions = {
  readonly fileName: string;
  readonly useUniqueFileName: boolean;
  readonly tags: string[] | undefined;
  readonly folder: string;
  readonly isPrivateFile: boolean | undefined;
  readonly isPublished: boolean | undefined;
  readonly customCoordinates: string | undefined;
  readonly responseFields: string[];
  readonly extensions: Extension[];
  readonly webhookUrl: string | undefined;
  readonly overwriteFile: boolean;
  readonly overwriteAITags: boolean;
  readonly overwriteTags: boolean;
  readonly overwriteCustomMetadata: boolean;
  /** Parsed JSON object, checked against the field schemas later. */
  readonly customMetadata: Record<string, unknown> | undefined;
  readonly preTransformation: string | undefined;
  readonly postTransformations: Record<string, unknown>[];
  readonly checks: string | undefined;
  readonly description: string | undefined;
};

/** The field value, or undefined when absent, empty or v6's literal `undefined`. */
const given = (fields: Readonly<Record<string, string>>, name: string): string | undefined => {
  const v = fields[name];
  return v === undefined || v === 'undefined' || v === 'null' || v.trim() === '' ? undefined : v;
};

function json(fields: Readonly<Record<string, string>>, name: string): unknown {
  const v = given(fields, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new IkError(400, `Your request contains invalid ${name} parameter. It should be valid JSON.`);
  }
}

/** Longest `fileName` accepted, in UTF-8 bytes. */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Replaces every character that is not a letter, a combining mark, a digit (of any script), `.`,
 * `_` or `-` with `_` (§2.1: the SDK docs list `a-z A-Z 0-9 . _ -`, newer docs allow Unicode
 * letters; the exact server rule is UNCONFIRMED). Marks matter: without them `हिन्दी` would lose
 * its vowel signs. ZWNJ/ZWJ stay too, since Persian and Indic words need them to spell correctly.
 */
export const sanitizeFileName = (name: string): string => name.trim().replace(/[^\p{L}\p{M}\p{N}._\u200C\u200D-]/gu, '_');

function parseTags(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (raw.length > 500) throw new IkError(400, 'Your request contains invalid tags parameter. Tags may be at most 500 characters in total.');
  if (raw.includes('%')) throw new IkError(400, 'Your request contains invalid tags parameter. The % character is not allowed in tags.');
  const tags = raw.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return [...new Set(tags)];
}

/** Validates an `extensions` array (upload field or update body). */
export function parseExtensions(value: unknown): Extension[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'object' || e === null || typeof (e as { name?: unknown }).name !== 'string')) {
    throw new IkError(400, 'Your request contains invalid extensions parameter. It should be a JSON array of objects with a name.');
  }
  return value as Extension[];
}

function parseTransformationField(value: unknown): { pre?: string; post: Record<string, unknown>[] } {
  if (value === undefined) return { post: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (!('pre' in value) && !('post' in value))) {
    throw new IkError(400, 'Invalid transformation parameter. Please include at least pre, post, or both.');
  }
  const { pre, post } = value as { pre?: unknown; post?: unknown };
  let preTx: string | undefined;
  if (pre !== undefined) {
    if (typeof pre !== 'string' || pre.trim() === '') throw new IkError(400, 'Invalid pre transformation parameter.');
    const parsed = parseTransformation(pre);
    if (!parsed.ok) throw new IkError(400, `Invalid pre transformation parameter. ${parsed.message}`);
    preTx = pre;
  }
  if (post !== undefined) {
    const valid =
      Array.isArray(post) &&
      post.every((p: unknown) => {
        if (typeof p !== 'object' || p === null) return false;
        const item = p as Record<string, unknown>;
        if (item.type === 'transformation') return typeof item.value === 'string' && item.value !== '';
        if (item.type === 'abs') return (item.protocol === 'hls' || item.protocol === 'dash') && typeof item.value === 'string';
        return item.type === 'gif-to-video' || item.type === 'thumbnail';
      });
    if (!valid) throw new IkError(400, 'Invalid post transformation parameter.');
  }
  return { ...(preTx !== undefined ? { pre: preTx } : {}), post: (post as Record<string, unknown>[] | undefined) ?? [] };
}

/** Validates every field; the messages follow ImageKit's (§2.4, §2.5). */
export function parseUploadOptions(fields: Readonly<Record<string, string>>): UploadOptions {
  const rawName = given(fields, 'fileName');
  if (rawName === undefined) throw new IkError(400, 'Missing fileName parameter for upload');
  const fileName = sanitizeFileName(rawName);
  if (fileName === '' || fileName === '.' || fileName === '..') throw new IkError(400, 'Your request contains invalid fileName parameter.');
  // The name becomes a path segment (and part of every URL of the file): most file systems stop at 255 bytes.
  if (Buffer.byteLength(fileName) > MAX_FILE_NAME_BYTES) {
    throw new IkError(400, `Your request contains invalid fileName parameter. It must be at most ${MAX_FILE_NAME_BYTES} bytes long.`);
  }
  const coords = given(fields, 'customCoordinates');
  if (coords !== undefined && !/^\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*$/.test(coords)) {
    throw new IkError(400, 'Your request contains invalid customCoordinates parameter. It should be x,y,width,height.');
  }
  const webhookUrl = given(fields, 'webhookUrl');
  if (webhookUrl !== undefined && !/^https?:\/\/\S+$/i.test(webhookUrl)) throw new IkError(400, 'Your request contains invalid webhookUrl parameter.');
  const customMetadata = json(fields, 'customMetadata');
  if (customMetadata !== undefined && (typeof customMetadata !== 'object' || customMetadata === null || Array.isArray(customMetadata))) {
    throw new IkError(400, 'Your request contains invalid customMetadata parameter. It should be a JSON object.');
  }
  const tx = parseTransformationField(json(fields, 'transformation'));
  const bool = (name: string, dflt: boolean): boolean => parseBool(given(fields, name), name) ?? dflt;
  return {
    fileName,
    useUniqueFileName: bool('useUniqueFileName', true),
    tags: parseTags(given(fields, 'tags')),
    folder: normalizeFolder(given(fields, 'folder') ?? '/'),
    isPrivateFile: parseBool(given(fields, 'isPrivateFile'), 'isPrivateFile'),
    isPublished: parseBool(given(fields, 'isPublished'), 'isPublished'),
    customCoordinates: coords?.replace(/\s+/g, ''),
    responseFields: (given(fields, 'responseFields') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    extensions: parseExtensions(json(fields, 'extensions')),
    webhookUrl,
    overwriteFile: bool('overwriteFile', true),
    overwriteAITags: bool('overwriteAITags', true),
    overwriteTags: bool('overwriteTags', true),
    overwriteCustomMetadata: bool('overwriteCustomMetadata', true),
    customMetadata: customMetadata as Record<string, unknown> | undefined,
    preTransformation: tx.pre,
    postTransformations: tx.post,
    checks: given(fields, 'checks'),
    description: given(fields, 'description'),
  };
}
