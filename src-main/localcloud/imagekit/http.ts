/**
 * HTTP helpers of the ImageKit front end: its error type and `{message, help, ...}` bodies
 * (spec §7.1), JSON bodies, and the small parsing rules every route shares.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { imagekitErrorBody } from '../../protocol/imagekit/errors.js';
import { FerryError } from '../../../src-shared/errors.js';
import type { CloudContext } from '../context.js';
import { HttpError, httpErrorOf, readBody, sendJson, type Route } from '../router.js';

/** An error answered as an ImageKit error body; `extra` adds `reason`, `missingFileIds`... */
export class IkError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'IkError';
  }
}

/** The 500 text ImageKit fixtures show. */
const INTERNAL = 'We have experienced an internal error while processing your request.';

/** Writes an ImageKit error answer (no body for HEAD). */
export function sendIkError(res: ServerResponse, err: IkError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, imagekitErrorBody(err.message, err.extra), { ...err.headers });
}

/** Wraps a handler so every failure becomes an ImageKit-shaped answer. */
export function ikHandler(handler: Route['handler']): Route['handler'] {
  return async (req, res, match, ctx) => {
    try {
      await handler(req, res, match, ctx);
    } catch (err) {
      sendIkError(res, toIkError(err, ctx));
    }
  };
}

function toIkError(err: unknown, ctx: CloudContext): IkError {
  if (err instanceof IkError) return err;
  if (err instanceof HttpError) return new IkError(err.status, err.message, {}, err.headers);
  if (err instanceof FerryError) {
    // A shared helper (the renderer, storage): its status and Retry-After; unknown codes are 500s.
    const http = httpErrorOf(err.error, 500);
    if (http.status !== 500) return new IkError(http.status, http.message, {}, http.headers);
  }
  ctx.log?.('error', err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new IkError(500, INTERNAL);
}

/** Answers with no body (204 and the like). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** Reads a JSON object body; an empty body is `{}` (v6 sends body-less PUTs). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new IkError(400, 'Your request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IkError(400, 'Your request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Query parameters; `+` means space (v6/py4 form encoding) — URLSearchParams already does that. */
export function queryParams(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://local').searchParams;
}

/** `true`/`false` strings (any case) → boolean; v6's literal `undefined` and '' → undefined. */
export function parseBool(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null || value === '' || value === 'undefined') return undefined;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new IkError(400, `Your request contains invalid ${name} parameter. It should be true or false.`);
}

/** Folder path in the index's canonical form: `/` or `/a/b/`. Allowed chars `a-z A-Z 0-9 / _ -` (plus Unicode letters). */
export function normalizeFolder(raw: string, name = 'folder'): string {
  const trimmed = raw.trim().replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '/';
  if (!/^[\p{L}\p{N}_\-/ .]+$/u.test(trimmed) || trimmed.split('/').some((s) => s === '.' || s === '..')) {
    throw new IkError(400, `Your request contains invalid ${name} parameter.`);
  }
  return `/${trimmed}/`;
}

/** `/a/b.jpg` → its folder `/a/`; the name is what follows the last slash. */
export function splitFilePath(filePath: string): { folder: string; name: string } {
  const p = `/${filePath.replace(/^\/+/, '')}`;
  const idx = p.lastIndexOf('/');
  return { folder: p.slice(0, idx + 1), name: p.slice(idx + 1) };
}

/** A non-empty array of strings, or a 400 with v6's wording (§5.5). */
export function stringArray(value: unknown, name: string, help: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new IkError(400, `Invalid value for ${name}`, { help });
  }
  return value as string[];
}

/** A required non-empty string body field. */
export function requiredString(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new IkError(400, `Missing ${name} parameter.`);
  return v;
}

/** ISO 8601 with milliseconds, `Z` (the API's date format). */
export const iso = (ms: number): string => new Date(ms).toISOString();
