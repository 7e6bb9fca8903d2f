import { lookup } from 'mime-types';

export { THUMBNAIL_SIZE, thumbnailUrl } from '../../../src-shared/thumbnails.js';

/** The MIME type guessed from the file name, or undefined. */
export function mimetypeOf(name: string): string | undefined {
  const type = lookup(name);
  return type === false ? undefined : type;
}
