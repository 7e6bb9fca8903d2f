import type { Route } from '../router.js';
import { cdnHandler, handleFileMetadata, handleFileRetrieve, type CdnProcessor } from './cdn.js';
import { handleComplete, handleStart, handleUpload } from './multipart.js';
import { handlePartPut } from './part-put.js';

export type FilestackFrontEndOptions = {
  /** Renders CDN task chains (resize, output...); without it such URLs answer 400 unsupported. */
  readonly processor?: CdnProcessor;
};

/**
 * The Filestack front end: multipart API (spec §3), the S3-like part PUT, the File API and the
 * CDN. The CDN route is a catch-all, so these must be mounted after any other front end.
 */
export function filestackRoutes(opts: FilestackFrontEndOptions = {}): Route[] {
  return [
    { method: 'POST', path: /^\/multipart\/start\/?$/, handler: handleStart },
    { method: 'POST', path: /^\/multipart\/upload\/?$/, handler: handleUpload },
    { method: 'POST', path: /^\/multipart\/complete\/?$/, handler: handleComplete },
    { method: 'PUT', path: /^\/s3\/([A-Za-z0-9_-]{1,64})\/(\d{1,5})$/, handler: handlePartPut },
    { method: 'GET', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/metadata\/?$/, handler: handleFileMetadata },
    { method: 'GET', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/?$/, handler: handleFileRetrieve },
    { method: 'GET', path: /^\/.+$/, handler: cdnHandler(opts.processor) },
  ];
}
