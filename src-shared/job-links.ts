import { formatLink, type LinkFormat } from './links.js';
import type { JobView } from './model/job.js';
import { thumbnailUrl } from './thumbnails.js';

const IMAGE_NAME = /\.(png|jpe?g|gif|webp|avif|bmp|tiff?|heic|svg)$/i;

/** The link a finished job offers: its own once verified, or the earlier upload's for a duplicate. */
export function linkOf(job: JobView): { url: string; image: boolean } | null {
  if (job.status.kind === 'done') return { url: job.status.result.url, image: job.status.result.mimetype.startsWith('image/') };
  if (job.status.kind === 'duplicate') return { url: job.status.existing.url, image: IMAGE_NAME.test(job.name) };
  return null;
}

/** The text a copy writes for a job in `format` (images embed in Markdown, HTML and BBCode), or null. */
export function linkTextOf(job: JobView, format: LinkFormat): string | null {
  const link = linkOf(job);
  return link ? formatLink(link.url, job.name, format, { image: link.image }) : null;
}

/**
 * The queue row's thumbnail: a finished image's own, or for an image already uploaded the
 * earlier upload's (same bytes), so "Already there" rows look like the file they stand for.
 */
export function thumbnailOf(job: JobView): string | null {
  if (job.status.kind === 'done') return thumbnailUrl({ destination: job.destination, url: job.status.result.url }, job.status.result.mimetype);
  const link = linkOf(job);
  // The earlier upload's type is not kept; the name says image, and SVG is never resized.
  if (link === null || !link.image || /\.svg$/i.test(job.name)) return null;
  return thumbnailUrl({ destination: job.destination, url: link.url }, 'image/*');
}
