/**
 * The web host's file-drop endpoint. Kept free of zod (unlike wire.ts) because the renderer
 * imports it and zod probes `new Function` at load time, which the strict CSP reports.
 */

/** HTTP path that receives dropped files' bytes, one file per POST. */
export const FILE_STREAM_PATH = '/files';
/** Request headers for FILE_STREAM_PATH: values are encodeURIComponent'd. */
export const FILE_HEADERS = { token: 'x-ferry-token', name: 'x-ferry-name', relativePath: 'x-ferry-relative-path' } as const;
