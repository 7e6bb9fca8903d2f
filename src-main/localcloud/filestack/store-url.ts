/**
 * `POST /process` (spec §5.2): store a file from a URL. The body names the app (`apikey`, or
 * Go's `apiKey`), one source (a URL string or JS's `{source, headers}` object) and a task list
 * holding `store` (JS may send it twice, the second with workflows) and `security`. Image tasks
 * before `store` are rendered too, so the same call can store a resized copy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { toAppError } from '../../../src-shared/errors.js';
import type { TaskStep, TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { renderImage } from '../processing/render.js';
import { HttpError, httpErrorOf, readBody, sendJson } from '../router.js';
import { fetchExternal, type FetchLimits } from './process-source.js';
import { tasksToOps } from './process-tasks.js';
import { enforceSecurity } from './security.js';
import { renameForType, storeAnswer, storeBytes, storeOptionsFrom } from './store-file.js';

const sourceSchema = z.union([z.string().min(1), z.object({ source: z.string().min(1), headers: z.record(z.string(), z.string()).optional() }).loose()]);
const bodySchema = z
  .object({
    apikey: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    sources: z.array(sourceSchema).min(1),
    tasks: z.array(z.object({ name: z.string().min(1), params: z.record(z.string(), z.unknown()).nullable().optional() }).loose()).optional(),
    upload_tags: z.record(z.string().max(128), z.string().max(256)).optional(),
  })
  .loose();

async function readJsonBody(req: IncomingMessage): Promise<z.infer<typeof bodySchema>> {
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON.');
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'bad_request', `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/** Builds the POST /process handler. */
export function storeUrlHandler(limits: FetchLimits = {}) {
  return async (req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> => {
    const body = await readJsonBody(req);
    const apikey = body.apikey ?? body.apiKey;
    if (apikey === undefined) throw new HttpError(400, 'bad_request', 'Invalid request: apikey is required.');
    const app = ctx.apps.get(apikey);
    if (!app) throw new HttpError(403, 'forbidden', 'Unknown apikey.');
    if (body.sources.length !== 1) throw new HttpError(400, 'unsupported', 'POST /process stores one source at a time on the local cloud.');
    const first = body.sources[0] ?? '';
    const source = typeof first === 'string' ? { url: first, headers: {} } : { url: first.source, headers: first.headers ?? {} };

    const steps: TaskStep[] = (body.tasks ?? []).map((t) => (t.params ? { name: t.name, params: t.params as Record<string, TaskValue> } : { name: t.name }));
    const stores = steps.filter((s) => s.name === 'store');
    if (stores.length === 0) throw new HttpError(400, 'bad_request', 'POST /process needs a "store" task.');
    const security = steps.find((s) => s.name === 'security')?.params;
    const pair = { policy: typeof security?.policy === 'string' ? security.policy : undefined, signature: typeof security?.signature === 'string' ? security.signature : undefined };
    // Merge the store tasks: JS sends the workflows in a second one.
    const store = storeOptionsFrom(Object.assign({}, ...stores.map((s) => s.params ?? {})) as Record<string, unknown>);
    enforceSecurity(app, pair, { call: 'store', url: source.url, ...(store.path ? { path: store.path } : {}), ...(store.container ? { container: store.container } : {}) });
    const mapped = tasksToOps(steps.filter((s) => s.name !== 'store' && s.name !== 'security'));
    if (!mapped.ok) throw new HttpError(400, 'bad_request', mapped.message);

    const got = await fetchExternal(ctx, source.url, limits, source.headers);
    let data = got.data;
    let mimetype = got.mimetype;
    if (mapped.ops.length > 0) {
      try {
        const rendered = await renderImage(data, mapped.ops, { scratchDir: ctx.storage.tmpDir });
        [data, mimetype] = [rendered.data, rendered.mimetype];
      } catch (err) {
        throw httpErrorOf(toAppError(err));
      }
    }
    const uploadTags = body.upload_tags;
    const stored = await storeBytes(ctx, { data, apikey, filename: mapped.ops.length > 0 ? renameForType(got.filename, mimetype) : got.filename, mimetype, store, ...(uploadTags ? { uploadTags } : {}) });
    sendJson(res, 200, { ...storeAnswer(ctx, stored), status: 'Stored', upload_tags: uploadTags ?? {} });
  };
}
