/**
 * The `video_convert` CDN task (spec §8): `GET|POST <base>/[apikey/]video_convert=<params>/
 * [security=...]/<handle>` starts a conversion on the first request and reports the same job's
 * status on every later one. cdn.ts routes any chain containing `video_convert` here, before the
 * image processor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalParams, validateStep } from '../../../src-shared/filestack/tasks.js';
import { parseTaskSegment } from '../../../src-shared/filestack/url-parser.js';
import type { TaskStep } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { HttpError, queryOf, sendJson } from '../router.js';
import { getOrStartJob, type AvOptions } from './av-jobs.js';
import type { CdnRequest } from './cdn.js';
import { enforceSecurity, securityFromTask, type SecurityPair } from './security.js';

const HANDLE_RE = /^[A-Za-z0-9_-]{20}$/;
/** Tasks that may sit beside `video_convert` without changing what it does. */
const COMPANIONS = new Set(['security', 'cache']);

const nameOf = (task: string): string => task.split('=', 1)[0] ?? task;

/** True when a CDN chain is an A/V conversion request. */
export function isVideoConvert(cdn: CdnRequest): boolean {
  return cdn.tasks.some((t) => nameOf(t) === 'video_convert');
}

function parseStep(raw: string): TaskStep {
  try {
    return parseTaskSegment(raw);
  } catch (err) {
    throw new HttpError(400, 'bad_request', err instanceof Error ? err.message : 'Malformed video_convert task.');
  }
}

/** Builds the handler cdn.ts delegates to. */
export function videoConvertHandler(opts: AvOptions = {}) {
  return async (req: IncomingMessage, res: ServerResponse, cdn: CdnRequest, ctx: CloudContext): Promise<void> => {
    const others = cdn.tasks.filter((t) => nameOf(t) !== 'video_convert' && !COMPANIONS.has(nameOf(t)));
    const converts = cdn.tasks.filter((t) => nameOf(t) === 'video_convert');
    if (others.length > 0 || converts.length !== 1) {
      throw new HttpError(400, 'unsupported', 'video_convert must be the only processing task of its URL (security and cache may accompany it).');
    }
    const step = parseStep(converts[0] ?? '');
    const checked = validateStep(step);
    if (!checked.ok) throw new HttpError(400, 'bad_request', checked.message);
    if (!HANDLE_RE.test(cdn.source)) {
      throw new HttpError(400, 'unsupported', 'The local cloud converts stored files only; external URL and storage-alias sources are not supported for video_convert.');
    }
    const file = await ctx.storage.get(cdn.source);
    if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(cdn.source)}.`);
    const secTask = cdn.tasks.find((t) => nameOf(t) === 'security');
    const q = queryOf(req);
    const pair: SecurityPair = secTask !== undefined ? securityFromTask(secTask) : { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined };
    const owner = ctx.apps.get(file.apikey);
    if (owner) enforceSecurity(owner, pair, { call: 'convert', handle: file.handle });
    // The URL's apikey (when it is a known app) owns the job, else the file's app does.
    const apikey = cdn.apikey !== null && ctx.apps.has(cdn.apikey) ? cdn.apikey : file.apikey;
    const view = getOrStartJob(ctx, opts, apikey, canonicalParams(step), file);
    sendJson(res, 200, view, { 'Cache-Control': 'no-store' });
  };
}
