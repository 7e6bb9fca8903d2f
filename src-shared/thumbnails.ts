import type { DestinationKind } from './model/job.js';

/** Edge of square thumbnails (library and queue rows), in CSS pixels. */
export const THUMBNAIL_SIZE = 96;

/** Only raster formats the processors render (SVG is not resized by either service). */
export const isThumbnailable = (mimetype: string | undefined): boolean =>
  mimetype !== undefined && mimetype.startsWith('image/') && mimetype !== 'image/svg+xml';

/**
 * A small processed copy of an image upload, or null. Filestack and the local cloud take a
 * processing task before the handle (`<cdn>/resize=…/<handle>`); ImageKit takes `tr:` after its
 * endpoint, or the `tr` query parameter when the endpoint is unknown (the renderer never knows it).
 */
export function thumbnailUrl(
  upload: { readonly destination: DestinationKind; readonly url: string },
  mimetype: string | undefined,
  imagekitEndpoint?: string,
): string | null {
  if (!isThumbnailable(mimetype)) return null;
  const n = THUMBNAIL_SIZE;
  if (upload.destination !== 'imagekit') {
    const m = /^(https?:\/\/.+)\/([A-Za-z0-9_-]+)$/.exec(upload.url);
    return m ? `${m[1]}/resize=width:${n},height:${n},fit:crop/${m[2]}` : null;
  }
  const endpoint = imagekitEndpoint?.replace(/\/+$/, '');
  if (endpoint && upload.url.startsWith(`${endpoint}/`)) return `${endpoint}/tr:w-${n},h-${n}/${upload.url.slice(endpoint.length + 1)}`;
  return `${upload.url}${upload.url.includes('?') ? '&' : '?'}tr=w-${n},h-${n}`;
}
