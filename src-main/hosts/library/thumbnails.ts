import { lookup } from 'mime-types';
import type { UploadHistoryEntry } from '../../engine/journal/types.js';

/** Edge of the library's square thumbnails, in CSS pixels. */
export const THUMBNAIL_SIZE = 96;

/** The MIME type guessed from the file name, or undefined. */
export function mimetypeOf(name: string): string | undefined {
  const type = lookup(name);
  return type === false ? undefined : type;
}

/** Only raster formats the processors render (SVG is not resized by either service). */
const isImage = (mimetype: string | undefined): boolean => mimetype !== undefined && mimetype.startsWith('image/') && mimetype !== 'image/svg+xml';

/**
 * A small processed copy of an image upload, or null. Filestack and the local cloud take a
 * processing task before the handle (`<cdn>/resize=…/<handle>`); ImageKit takes `tr:` after its
 * endpoint, or the `tr` query parameter when the endpoint is unknown.
 */
export function thumbnailUrl(entry: UploadHistoryEntry, mimetype: string | undefined, imagekitEndpoint?: string): string | null {
  if (!isImage(mimetype)) return null;
  const n = THUMBNAIL_SIZE;
  if (entry.destination !== 'imagekit') {
    const m = /^(https?:\/\/.+)\/([A-Za-z0-9_-]+)$/.exec(entry.url);
    return m ? `${m[1]}/resize=width:${n},height:${n},fit:crop/${m[2]}` : null;
  }
  const endpoint = imagekitEndpoint?.replace(/\/+$/, '');
  if (endpoint && entry.url.startsWith(`${endpoint}/`)) return `${endpoint}/tr:w-${n},h-${n}/${entry.url.slice(endpoint.length + 1)}`;
  return `${entry.url}${entry.url.includes('?') ? '&' : '?'}tr=w-${n},h-${n}`;
}
