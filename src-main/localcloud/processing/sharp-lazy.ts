import type SharpModule from 'sharp';

/** The sharp function (libvips bindings). */
export type SharpFn = typeof SharpModule;

let loading: Promise<SharpFn> | null = null;

/**
 * sharp, loaded on first use. Loading libvips costs about 26 MiB of memory, so a process that
 * never renders an image (the CLI uploading to an external local cloud, an app that only
 * uploads) does not pay for it; the first render waits for the import once.
 *
 * libvips' operation cache is turned off: the render cache (cache.ts) keeps finished results,
 * and libvips' cache would hold decoded pixels and open handles on deleted scratch files.
 */
export function loadSharp(): Promise<SharpFn> {
  return (loading ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m.default;
  }));
}
