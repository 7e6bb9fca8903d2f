/**
 * Client-side input checks shared by the media operations. Each failure is a typed bad_request
 * thrown before any request is made; messages follow v6 where it has one (§5.5).
 */
import { badRequest } from './transport.js';

/** A non-empty string id (fileId, versionId, jobId...). */
export function requireId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`Missing ${name} parameter for this request`);
  return value;
}

/** A non-empty string parameter such as a path. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw badRequest(`Missing ${name} parameter for this request`);
  return value;
}

/** §5.5: fileIds must be a non-empty array of non-empty strings. */
export function requireFileIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw badRequest('Invalid value for fileIds', 'fileIds should be an array of fileId of the files. The array should have atleast one fileId.');
  }
  return value as string[];
}

/** §5.5: tags must be a non-empty array of non-empty strings. */
export function requireTags(value: unknown, name = 'tags'): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw badRequest(`Invalid value for ${name}`, `${name} should be a non empty array of string like ['tag1', 'tag2'].`);
  }
  return value as string[];
}

/** An optional boolean; anything else is refused rather than stringified. */
export function optionalBool(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`Invalid value for ${name}`, `${name} should be true or false.`);
  return value;
}
