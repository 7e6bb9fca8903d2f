/**
 * Upload options (spec §2.1), their client-side validation (§2.5) and their rendering into
 * multipart text fields. Undefined options are never sent (unlike v6, which sends `undefined`).
 */
import { badRequest } from './transport.js';
import type { TextPart } from './multipart.js';

/** One post-upload transformation (§2.1 `transformation.post`). */
export type PostTransformation =
  | { readonly type: 'transformation'; readonly value: string }
  | { readonly type: 'gif-to-video'; readonly value?: string }
  | { readonly type: 'thumbnail'; readonly value?: string }
  | { readonly type: 'abs'; readonly protocol: 'hls' | 'dash'; readonly value: string };

/** One upload extension (§2.1 `extensions`), e.g. `{name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10}`. */
export type UploadExtension = { readonly name: string } & Readonly<Record<string, unknown>>;

/** Every §2.1 option except the file itself. `fileName` is required. */
export type UploadOptions = {
  readonly fileName: string;
  readonly useUniqueFileName?: boolean;
  readonly tags?: readonly string[];
  readonly folder?: string;
  readonly isPrivateFile?: boolean;
  readonly isPublished?: boolean;
  /** `x,y,width,height`. */
  readonly customCoordinates?: string;
  readonly responseFields?: readonly string[];
  readonly extensions?: readonly UploadExtension[];
  readonly webhookUrl?: string;
  readonly overwriteFile?: boolean;
  readonly overwriteAITags?: boolean;
  readonly overwriteTags?: boolean;
  readonly overwriteCustomMetadata?: boolean;
  readonly customMetadata?: Readonly<Record<string, unknown>>;
  readonly transformation?: { readonly pre?: string; readonly post?: readonly PostTransformation[] };
  /** Server-side pre-upload checks expression, passed through verbatim. */
  readonly checks?: string;
  readonly description?: string;
};

/** Throws the §2.5 errors for a malformed `transformation` option. */
export function validateTransformation(tr: unknown): void {
  if (tr === undefined) return;
  const t = tr as { pre?: unknown; post?: unknown };
  if (typeof tr !== 'object' || tr === null || (!('pre' in t) && !('post' in t))) {
    throw badRequest('Invalid transformation parameter. Please include at least pre, post, or both.');
  }
  if ('pre' in t && (typeof t.pre !== 'string' || t.pre === '')) throw badRequest('Invalid pre transformation parameter.');
  if ('post' in t) {
    if (!Array.isArray(t.post)) throw badRequest('Invalid post transformation parameter.');
    for (const item of t.post as unknown[]) {
      const i = item as { type?: unknown; value?: unknown; protocol?: unknown };
      const bad =
        typeof item !== 'object' ||
        item === null ||
        !['transformation', 'gif-to-video', 'thumbnail', 'abs'].includes(String(i.type)) ||
        (i.type === 'transformation' && (typeof i.value !== 'string' || i.value === '')) ||
        (i.type === 'abs' && (!['hls', 'dash'].includes(String(i.protocol)) || typeof i.value !== 'string' || i.value === ''));
      if (bad) throw badRequest('Invalid post transformation parameter.');
    }
  }
}

/** Validates options that would otherwise be rejected only by the server (or silently mangled). */
export function validateUploadOptions(opts: UploadOptions): void {
  if (typeof opts.fileName !== 'string' || opts.fileName.trim() === '') throw badRequest('Missing fileName parameter for upload');
  if (opts.tags !== undefined) {
    if (!Array.isArray(opts.tags) || opts.tags.some((t) => typeof t !== 'string' || t === '' || t.includes(','))) {
      throw badRequest('Invalid value for tags', 'tags should be an array of non-empty strings without commas.');
    }
    // Docs: at most 500 characters in total and `%` is not allowed.
    if (opts.tags.join(',').length > 500 || opts.tags.some((t) => t.includes('%'))) {
      throw badRequest('Invalid value for tags', 'tags may not contain % and must total at most 500 characters.');
    }
  }
  if (opts.customCoordinates !== undefined && !/^\d+,\d+,\d+,\d+$/.test(opts.customCoordinates)) {
    throw badRequest('Invalid value for customCoordinates', 'customCoordinates should be "x,y,width,height" in whole pixels.');
  }
  if (opts.extensions !== undefined && (!Array.isArray(opts.extensions) || opts.extensions.some((e) => typeof e?.name !== 'string'))) {
    throw badRequest('Invalid value for extensions', 'extensions should be an array of objects with a name.');
  }
  validateTransformation(opts.transformation);
}

const bool = (v: boolean): string => (v ? 'true' : 'false');

/**
 * Renders the options as text fields in a stable order: fileName first, then §2.1 table order.
 * Booleans → `true`/`false`; lists → comma-joined; objects → compact JSON.
 */
export function optionFields(opts: UploadOptions): TextPart[] {
  const out: TextPart[] = [];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) out.push({ kind: 'text', name, value });
  };
  const addBool = (name: string, v: boolean | undefined): void => add(name, v === undefined ? undefined : bool(v));
  const addJson = (name: string, v: unknown): void => add(name, v === undefined ? undefined : JSON.stringify(v));
  add('fileName', opts.fileName);
  addBool('useUniqueFileName', opts.useUniqueFileName);
  add('tags', opts.tags?.join(','));
  add('folder', opts.folder);
  addBool('isPrivateFile', opts.isPrivateFile);
  addBool('isPublished', opts.isPublished);
  add('customCoordinates', opts.customCoordinates);
  add('responseFields', opts.responseFields?.join(','));
  addJson('extensions', opts.extensions);
  add('webhookUrl', opts.webhookUrl);
  addBool('overwriteFile', opts.overwriteFile);
  addBool('overwriteAITags', opts.overwriteAITags);
  addBool('overwriteTags', opts.overwriteTags);
  addBool('overwriteCustomMetadata', opts.overwriteCustomMetadata);
  addJson('customMetadata', opts.customMetadata);
  addJson('transformation', opts.transformation);
  add('checks', opts.checks);
  add('description', opts.description);
  return out;
}
