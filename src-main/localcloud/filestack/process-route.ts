/**
 * The image processor behind the CDN (spec §7): parses the chain, checks every task, enforces
 * the app's security (`convert` to render, `store` to store), renders with sharp through a
 * bounded cache and answers the bytes — or, with a `store` task (§7.6, GET or POST), stores the
 * result as a new file and answers its JSON description.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadSharp } from '../processing/sharp-lazy.js';
import { toAppError } from '../../../src-shared/errors.js';
import { parseProcessingPath } from '../../../src-shared/filestack/url-parser.js';
import type { TaskStep } from '../../../src-shared/filestack/types.js';
import { validateStep } from '../../../src-shared/filestack/tasks.js';
import type { CloudContext } from '../context.js';
import { createRenderCache, type RenderCache } from '../processing/cache.js';
import type { RenderedImage } from '../processing/render.js';
import { HttpError, httpErrorOf, queryOf, sendJson } from '../router.js';
import type { CdnProcessor, CdnRequest } from './cdn.js';
import { resolveSource, type FetchLimits } from './process-source.js';
import { tasksToOps } from './process-tasks.js';
import { enforceSecurity, type SecurityPair } from './security.js';
import { renameForType, storeAnswer, storeBytes, storeOptionsFrom } from './store-file.js';

/** Options of {@link createImageProcessor}. */
export type ImageProcessorOptions = {
  /** Shared render cache; default a fresh 64 MiB one. */
  readonly cache?: RenderCache;
  /** Largest image, in pixels; default 50 MP. */
  readonly maxPixels?: number;
  /** Limits for external-URL sources. */
  readonly fetch?: FetchLimits;
};

/** Splits the chain at `store`; tasks after it cannot run because store answers JSON. */
function splitAtStore(steps: readonly TaskStep[]): { render: TaskStep[]; store: TaskStep | null } {
  const idx = steps.findIndex((s) => s.name === 'store');
  if (idx < 0) return { render: [...steps], store: null };
  const after = steps.slice(idx + 1).filter((s) => s.name !== 'cache');
  if (after.length > 0) throw new HttpError(400, 'bad_request', `Task "${after[0]?.name ?? ''}" cannot follow "store": store must end the chain.`);
  return { render: steps.slice(0, idx), store: steps[idx] ?? null };
}

/** Builds the CdnProcessor that renders image task chains. */
export function createImageProcessor(opts: ImageProcessorOptions = {}): CdnProcessor {
  const cache = opts.cache ?? createRenderCache();
  return async (req: IncomingMessage, res: ServerResponse, _cdn: CdnRequest, _file, ctx: CloudContext): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const parsed = parseProcessingPath(pathname);
    if (!parsed.ok) throw new HttpError(400, 'bad_request', parsed.message);
    if (parsed.multiSource) throw new HttpError(400, 'unsupported', 'Multi-file sources ([a,b]) are not supported by the local cloud image tasks.');
    const { render: chain, store } = splitAtStore(parsed.steps);
    // `imagesize` ends a chain with JSON {width, height} of what the tasks before it produce.
    const sizeOnly = chain[chain.length - 1]?.name === 'imagesize';
    if (sizeOnly && store) throw new HttpError(400, 'bad_request', 'Task "imagesize" cannot be combined with "store".');
    const render = sizeOnly ? chain.slice(0, -1) : chain;
    if (store) {
      const checked = validateStep(store);
      if (!checked.ok) throw new HttpError(400, 'bad_request', checked.message);
    }
    const mapped = tasksToOps(render);
    if (!mapped.ok) throw new HttpError(mapped.status, 'bad_request', mapped.message);
    const source = parsed.sources[0];
    if (!source) throw new HttpError(400, 'bad_request', 'The path has no source.');
    if (source.kind === 'url' && (parsed.apikey === null || !ctx.apps.has(parsed.apikey))) {
      throw new HttpError(400, 'bad_request', 'An external URL source needs a known apikey segment before the tasks.');
    }
    const q = queryOf(req);
    const pair: SecurityPair = parsed.security ?? { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined };
    // Check every policy before downloading anything: a refused request must cost nothing.
    const file = source.kind === 'handle' ? await ctx.storage.get(source.handle) : null;
    if (source.kind === 'handle' && !file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(source.handle)}.`);
    const convertApp = file ? ctx.apps.get(file.apikey) : ctx.apps.get(parsed.apikey ?? '');
    if (convertApp && (mapped.ops.length > 0 || !store)) {
      enforceSecurity(convertApp, pair, { call: 'convert', ...(file ? { handle: file.handle } : source.kind === 'url' ? { url: source.url } : {}) });
    }
    const storeOpts = store ? storeOptionsFrom(store.params) : null;
    // The stored result belongs to the URL's apikey when known, else to the source file's app.
    const storeApp = store ? ((parsed.apikey !== null ? ctx.apps.get(parsed.apikey) : undefined) ?? (file ? ctx.apps.get(file.apikey) : undefined)) : undefined;
    if (storeOpts && storeApp) {
      enforceSecurity(storeApp, pair, { call: 'store', ...(storeOpts.path ? { path: storeOpts.path } : {}), ...(storeOpts.container ? { container: storeOpts.container } : {}) });
    }
    const src = await resolveSource(ctx, source, opts.fetch);

    let out: { data: Buffer; mimetype: string; filename: string };
    if (mapped.ops.length === 0) {
      const data = src.file ? await readFile(ctx.storage.blobPath(src.file.handle)) : (src.input as Buffer);
      out = { data, mimetype: src.mimetype, filename: src.filename };
    } else {
      let rendered: RenderedImage;
      try {
        rendered = await cache.render(src.sourceKey, src.input, mapped.ops, { scratchDir: ctx.storage.tmpDir, ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}) });
      } catch (err) {
        throw httpErrorOf(toAppError(err));
      }
      out = { data: rendered.data, mimetype: rendered.mimetype, filename: renameForType(src.filename, rendered.mimetype) };
    }

    if (sizeOnly) {
      const m = await (await loadSharp())(out.data).metadata().catch(() => null);
      if (!m?.width || !m.height) throw new HttpError(400, 'unsupported', 'Task "imagesize" needs an image source.');
      sendJson(res, 200, { width: m.width, height: m.height });
      return;
    }
    if (storeOpts) {
      const apikey = storeApp?.apikey ?? file?.apikey ?? parsed.apikey ?? '';
      const stored = await storeBytes(ctx, { data: out.data, apikey, filename: out.filename, mimetype: out.mimetype, store: storeOpts });
      sendJson(res, 200, storeAnswer(ctx, stored));
      return;
    }
    res.writeHead(200, {
      'Content-Type': out.mimetype,
      'Content-Length': out.data.length,
      // Short: the source may be overwritten through the File API.
      'Cache-Control': 'public, max-age=300',
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(out.filename)}`,
    });
    res.end(req.method === 'HEAD' ? undefined : out.data);
  };
}
