/**
 * A small bounded LRU of rendered images keyed by source + op list, so a CDN URL requested again
 * (thumbnails in a grid, a page reload) is served without re-rendering. Concurrent requests for
 * the same key share one render.
 */
import type { ImageOp } from './ops.js';
import { opsKey } from './ops.js';
import type { RenderOptions, RenderedImage } from './render.js';
import { renderImage } from './render.js';

/** Options of {@link createRenderCache}. */
export type RenderCacheOptions = {
  /** Most entries kept; default 128. */
  readonly maxEntries?: number;
  /** Most bytes of rendered output kept; default 64 MiB. Larger single results are not cached. */
  readonly maxBytes?: number;
};

/** The cache; `sourceKey` must change when the source bytes change (e.g. handle + size + mtime). */
export type RenderCache = {
  /** Renders through the cache. */
  render(sourceKey: string, input: string | Buffer, ops: readonly ImageOp[], opts?: RenderOptions): Promise<RenderedImage>;
  /** Drops every entry of one source (after it was overwritten or deleted). */
  forget(sourceKey: string): void;
  clear(): void;
  readonly stats: { readonly entries: number; readonly bytes: number; readonly hits: number; readonly misses: number };
};

/** Builds a bounded render cache. */
export function createRenderCache(options: RenderCacheOptions = {}): RenderCache {
  const maxEntries = options.maxEntries ?? 128;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const entries = new Map<string, { source: string; image: RenderedImage }>();
  const inflight = new Map<string, Promise<RenderedImage>>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;

  const drop = (key: string): void => {
    const e = entries.get(key);
    if (!e) return;
    bytes -= e.image.data.length;
    entries.delete(key);
  };
  const store = (key: string, source: string, image: RenderedImage): void => {
    if (image.data.length > maxBytes) return;
    drop(key);
    entries.set(key, { source, image });
    bytes += image.data.length;
    // Map iteration order is insertion order: the first key is the least recently used.
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      drop(oldest);
    }
  };

  return {
    async render(sourceKey, input, ops, opts) {
      const key = `${sourceKey}\u0000${opsKey(ops)}`;
      const hit = entries.get(key);
      if (hit) {
        hits += 1;
        entries.delete(key);
        entries.set(key, hit);
        return hit.image;
      }
      const running = inflight.get(key);
      if (running) return running;
      misses += 1;
      // The shared render ignores the first caller's signal so one abort cannot fail the others.
      const { signal: _signal, ...shared } = opts ?? {};
      const job = renderImage(input, ops, shared).then((image) => {
        store(key, sourceKey, image);
        return image;
      });
      inflight.set(key, job);
      try {
        return await job;
      } finally {
        inflight.delete(key);
      }
    },
    forget(sourceKey) {
      for (const [key, e] of entries) if (e.source === sourceKey) drop(key);
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
    get stats() {
      return { entries: entries.size, bytes, hits, misses };
    },
  };
}
