/**
 * The web host's file-drop endpoint. Kept free of zod (unlike wire.ts) because the renderer
 * imports it and zod probes `new Function` at load time, which the strict CSP reports.
 */

/** HTTP path that receives dropped files' bytes, one file per POST. */
export const FILE_STREAM_PATH = '/files';
/**
 * The web host's token check: `GET` with the token header answers 204 when the token is this
 * Ferry's, 401 when it is not. A page whose socket keeps failing asks here whether Ferry is
 * down (no answer) or running with another token (a different profile or a replaced token file).
 */
export const SESSION_PATH = '/session';
/** Request headers for FILE_STREAM_PATH and SESSION_PATH: values are encodeURIComponent'd. */
export const FILE_HEADERS = { token: 'x-ferry-token', name: 'x-ferry-name', relativePath: 'x-ferry-relative-path', batch: 'x-ferry-batch' } as const;
/** A drop's batch id (FILE_HEADERS.batch): every file of one drop names the same one, so they show as one batch. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
