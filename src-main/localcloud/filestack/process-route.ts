/**
 * The processor behind the CDN (spec §7): parses and plans the chain (process-plan.ts), enforces
 * the apps' security (`convert` to render, `store` to store) before reading any source, then
 * renders an image chain (image-chain.ts) or runs a document task (document-tasks.ts) and
 * answers the bytes — or, with a `store` task (§7.6, GET or POST), stores the result as a new
 * file and answers its JSON description. A `fallback` task answers its file when that fails.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseProcessingPath } from '../../../src-shared/filestack/url-parser.js';
import type { Source } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { createRenderCache, type RenderCache } from '../processing/cache.js';
import { DEFAULT_MAX_PIXELS } from '../processing/render.js';
import { loadSharp } from '../processing/sharp-lazy.js';
import { HttpError, queryOf, sendJson } from '../router.js';
import type { StoredFile } from '../storage.js';
import { apikeyTest, sendFile, type CdnProcessor, type CdnRequest } from './cdn.js';
import { checkDocumentStep, runDocumentTask, type DocumentOutput } from './document-tasks.js';
import { planImageChain, runImageChain } from './image-chain.js';
import { planChain, type ChainPlan } from './process-plan.js';
import { resolveSource, type FetchLimits } from './process-source.js';
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

/** Most sources one multi-file URL may name (`zip/[h1,…]`). */
const MAX_SOURCES = 1000;
/** Largest result a `store` task buffers from a streamed answer (a zip). */
const MAX_STORED_STREAM_BYTES = 512 * 1024 * 1024;

/** Builds the CdnProcessor that runs processing chains. */
export function createImageProcessor(opts: ImageProcessorOptions = {}): CdnProcessor {
  const cache = opts.cache ?? createRenderCache();
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  return async (req: IncomingMessage, res: ServerResponse, _cdn: CdnRequest, _file, ctx: CloudContext): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const parsed = parseProcessingPath(pathname, { isApikey: apikeyTest(ctx) });
    if (!parsed.ok) throw new HttpError(400, 'bad_request', parsed.message);
    const plan = planChain(parsed.steps, parsed.multiSource);
    const q = queryOf(req);
    const pair: SecurityPair = parsed.security ?? { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined };
    const request = { ctx, pair, apikey: parsed.apikey, sources: parsed.sources, plan };
    try {
      await answer(req, res, await produce(request, cache, maxPixels, opts.fetch), plan, request);
    } catch (err) {
      // Security refusals stand: a fallback must not turn a forbidden read into an allowed one.
      if (!plan.fallback || res.headersSent || (err instanceof HttpError && (err.status === 401 || err.status === 403))) throw err;
      const fallback = await ctx.storage.get(plan.fallback.handle);
      if (!fallback) throw err;
      const app = ctx.apps.get(fallback.apikey);
      if (app) enforceSecurity(app, pair, { call: 'read', handle: fallback.handle });
      await sendFile(req, res, ctx, fallback, plan.fallback.cacheSeconds !== undefined ? { 'Cache-Control': `public, max-age=${plan.fallback.cacheSeconds}` } : {});
    }
  };
}

type Request = { ctx: CloudContext; pair: SecurityPair; apikey: string | null; sources: readonly Source[]; plan: ChainPlan };

/** What a chain produced, before `imagesize` / `store` / the plain answer. */
type Produced = { output: DocumentOutput; image: boolean; storeApikey: string; source: StoredFile | null };

async function produce(r: Request, cache: RenderCache, maxPixels: number, fetch: FetchLimits | undefined): Promise<Produced> {
  const { ctx, plan } = r;
  if (r.sources.length === 0) throw new HttpError(400, 'bad_request', 'The path has no source.');
  if (r.sources.length > MAX_SOURCES) throw new HttpError(400, 'bad_request', `A multi-file source names at most ${MAX_SOURCES} files.`);
  if (r.sources.some((s) => s.kind === 'url') && (r.apikey === null || !ctx.apps.has(r.apikey))) {
    throw new HttpError(400, 'bad_request', 'An external URL source needs a known apikey segment before the tasks.');
  }
  // Check every policy before downloading anything: a refused request must cost nothing.
  const files: (StoredFile | null)[] = [];
  for (const source of r.sources) {
    if (source.kind !== 'handle') {
      files.push(null);
      continue;
    }
    const file = await ctx.storage.get(source.handle);
    if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(source.handle)}.`);
    files.push(file);
  }
  const first = files[0] ?? null;
  const hasWork = plan.body.kind === 'document' || plan.body.steps.length > 0;
  if (hasWork || !plan.store) {
    r.sources.forEach((source, i) => {
      const file = files[i] ?? null;
      const app = file ? ctx.apps.get(file.apikey) : ctx.apps.get(r.apikey ?? '');
      if (app) enforceSecurity(app, r.pair, { call: 'convert', ...(file ? { handle: file.handle } : source.kind === 'url' ? { url: source.url } : {}) });
    });
  }
  // The result belongs to the URL's apikey when known, else to the source file's app.
  const owner = (r.apikey !== null && ctx.apps.has(r.apikey) ? r.apikey : null) ?? first?.apikey ?? r.apikey ?? '';
  if (plan.store) {
    const storeOpts = storeOptionsFrom(plan.store.params);
    const storeApp = ctx.apps.get(owner);
    if (storeApp) enforceSecurity(storeApp, r.pair, { call: 'store', ...(storeOpts.path ? { path: storeOpts.path } : {}), ...(storeOpts.container ? { container: storeOpts.container } : {}) });
  }
  // Validate parameters before any download too.
  const env = { ctx, apikey: owner, maxPixels };
  const chain = plan.body.kind === 'image' ? await planImageChain(plan.body.steps, { ...env, apikey: first?.apikey ?? owner }) : null;
  if (plan.body.kind === 'document') checkDocumentStep(plan.body.step);
  const resolved = await Promise.all(r.sources.map((s) => resolveSource(ctx, s, fetch)));
  const src = resolved[0];
  if (!src) throw new HttpError(400, 'bad_request', 'The path has no source.');
  const base = { storeApikey: owner, source: first };
  if (plan.body.kind === 'document') {
    const output = await runDocumentTask(env, plan.body.step, resolved);
    return { ...base, output, image: output.kind === 'bytes' && output.mimetype.startsWith('image/') };
  }
  if (!chain || (chain.ops.length === 0 && !chain.terminal)) {
    const data = src.file ? await readFile(ctx.storage.blobPath(src.file.handle)) : (src.input as Buffer);
    return { ...base, output: { kind: 'bytes', data, mimetype: src.mimetype, filename: src.filename }, image: src.mimetype.startsWith('image/') };
  }
  const out = await runImageChain(chain, src, cache, { maxPixels, scratchDir: ctx.storage.tmpDir });
  const filename = out.image ? renameForType(src.filename, out.mimetype) : renameForType(src.filename, out.mimetype.split(';')[0] ?? out.mimetype);
  return { ...base, output: { kind: 'bytes', data: out.data, mimetype: out.mimetype, filename }, image: out.image };
}

async function collect(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) throw new HttpError(413, 'payload_too_large', `The result is larger than the ${max} bytes a store task keeps.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function answer(req: IncomingMessage, res: ServerResponse, p: Produced, plan: ChainPlan, r: Request): Promise<void> {
  const out = p.output;
  if (out.kind === 'json') {
    sendJson(res, 200, out.value);
    return;
  }
  if (plan.sizeOnly) {
    const m = out.kind === 'bytes' && p.image ? await (await loadSharp())(out.data).metadata().catch(() => null) : null;
    if (!m?.width || !m.height) throw new HttpError(400, 'unsupported', 'Task "imagesize" needs an image source.');
    sendJson(res, 200, { width: m.width, height: m.height });
    return;
  }
  if (plan.store) {
    const data = out.kind === 'stream' ? await collect(out.stream, MAX_STORED_STREAM_BYTES) : out.data;
    const mimetype = out.mimetype.split(';')[0] ?? out.mimetype;
    const stored = await storeBytes(r.ctx, { data, apikey: p.storeApikey, filename: out.filename, mimetype, store: storeOptionsFrom(plan.store.params) });
    sendJson(res, 200, storeAnswer(r.ctx, stored));
    return;
  }
  const headers: Record<string, string | number> = {
    'Content-Type': out.mimetype,
    // Short: the source may be overwritten through the File API.
    'Cache-Control': 'public, max-age=300',
    'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(out.filename)}`,
    ...(out.kind === 'bytes' ? { 'Content-Length': out.data.length, ...out.headers } : {}),
  };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    if (out.kind === 'stream') out.stream.destroy();
    res.end();
    return;
  }
  if (out.kind === 'stream') await pipeline(out.stream, res);
  else res.end(out.data);
}
