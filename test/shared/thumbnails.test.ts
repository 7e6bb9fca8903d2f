import { describe, expect, it } from 'vitest';
import { isThumbnailable, THUMBNAIL_SIZE, thumbnailUrl } from '../../src-shared/thumbnails.js';

describe('thumbnail URLs', () => {
  it('only raster images get one (SVG is not resized by either service)', () => {
    expect(isThumbnailable('image/png')).toBe(true);
    expect(isThumbnailable('image/svg+xml')).toBe(false);
    expect(isThumbnailable('video/mp4')).toBe(false);
    expect(isThumbnailable(undefined)).toBe(false);
    expect(thumbnailUrl({ destination: 'local', url: 'http://h/abc' }, 'text/plain')).toBeNull();
  });

  it('Filestack and the local cloud: a resize task before the handle; a URL without a handle gets none', () => {
    expect(THUMBNAIL_SIZE).toBe(96);
    expect(thumbnailUrl({ destination: 'local', url: 'http://127.0.0.1:5/Ab_c-9' }, 'image/jpeg')).toBe('http://127.0.0.1:5/resize=width:96,height:96,fit:crop/Ab_c-9');
    expect(thumbnailUrl({ destination: 'filestack', url: 'https://cdn.example/xyz' }, 'image/png')).toBe('https://cdn.example/resize=width:96,height:96,fit:crop/xyz');
    expect(thumbnailUrl({ destination: 'filestack', url: 'https://cdn.example/a.b' }, 'image/png')).toBeNull();
    expect(thumbnailUrl({ destination: 'filestack', url: 'ftp://cdn.example/xyz' }, 'image/png')).toBeNull();
    expect(thumbnailUrl({ destination: 'filestack', url: 'https:///xyz' }, 'image/png')).toBeNull();
  });

  it('ImageKit: tr: after the endpoint when it is known (trailing slashes ignored), else the tr query parameter', () => {
    const url = 'https://ik.example/me/folder/a.png';
    expect(thumbnailUrl({ destination: 'imagekit', url }, 'image/png', 'https://ik.example/me//')).toBe('https://ik.example/me/tr:w-96,h-96/folder/a.png');
    expect(thumbnailUrl({ destination: 'imagekit', url }, 'image/png')).toBe(`${url}?tr=w-96,h-96`);
    expect(thumbnailUrl({ destination: 'imagekit', url }, 'image/png', 'https://other.example/me')).toBe(`${url}?tr=w-96,h-96`);
    // A prefix of a longer folder name is not the endpoint.
    expect(thumbnailUrl({ destination: 'imagekit', url }, 'image/png', 'https://ik.example/m')).toBe(`${url}?tr=w-96,h-96`);
    expect(thumbnailUrl({ destination: 'imagekit', url: `${url}?v=2` }, 'image/png')).toBe(`${url}?v=2&tr=w-96,h-96`);
  });
});
