import type { CloudContext } from '../context.js';
import type { Route } from '../router.js';
import type { AvOptions } from './av-jobs.js';
import { videoConvertHandler } from './av-route.js';
import { cdnHandler, handleFileMetadata, handleFileRetrieve, type CdnProcessor } from './cdn.js';
import { handleCommit } from './commit.js';
import { handleChunkPut } from './fii-upload.js';
import { handleComplete, handleStart, handleUpload } from './multipart.js';
import { handlePartPut } from './part-put.js';
import { createImageProcessor } from './process-route.js';
import type { FetchLimits } from './process-source.js';
import { storeApiHandler } from './store-api.js';
import { storeUrlHandler } from './store-url.js';
import { handleDelete, handleOverwrite } from './file-api.js';
import { setWebhookOptions, type WebhookOptions } from './webhooks-delivery.js';

export type FilestackFrontEndOptions = {
  /** Renders CDN task chains (resize, output...); default the sharp image processor. */
  readonly processor?: CdnProcessor;
  /** Size cap / timeout for external URLs fetched by processing and store-from-URL calls. */
  readonly fetch?: FetchLimits;
  /** A/V conversion (`video_convert`): ffmpeg binary path. */
  readonly av?: AvOptions;
  /** Webhook delivery tuning (retry delays, timeout). */
  readonly webhooks?: WebhookOptions;
};

/**
 * The Filestack front end: multipart API (spec §3), the S3-like part PUT, the File API and the
 * CDN. The CDN route is a catch-all, so these must be mounted after any other front end.
 */
export function filestackRoutes(opts: FilestackFrontEndOptions = {}): Route[] {
  // Webhook options reach the upload-complete path through the shared context state.
  const withWebhooks = (handler: Route['handler']): Route['handler'] => (req, res, m, ctx: CloudContext) => {
    setWebhookOptions(ctx, opts.webhooks);
    return handler(req, res, m, ctx);
  };
  const videoConvert = videoConvertHandler(opts.av);
  const processor = opts.processor ?? createImageProcessor(opts.fetch ? { fetch: opts.fetch } : {});
  return [
    { method: 'POST', path: /^\/multipart\/start\/?$/, handler: handleStart },
    { method: 'POST', path: /^\/multipart\/upload\/?$/, handler: handleUpload },
    { method: 'POST', path: /^\/multipart\/complete\/?$/, handler: withWebhooks(handleComplete) },
    { method: 'PUT', path: /^\/s3\/([A-Za-z0-9_-]{1,64})\/(\d{1,5})$/, handler: handlePartPut },
    // Intelligent ingestion (spec §4): commit a part; PUT one chunk at an offset of a part.
    { method: 'POST', path: /^\/multipart\/commit\/?$/, handler: handleCommit },
    { method: 'PUT', path: /^\/s3\/([A-Za-z0-9_-]{1,64})\/(\d{1,5})\/(\d{1,10})$/, handler: handleChunkPut },
    { method: 'GET', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/metadata\/?$/, handler: handleFileMetadata },
    { method: 'GET', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/?$/, handler: handleFileRetrieve },
    { method: 'POST', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/?$/, handler: handleOverwrite },
    { method: 'PUT', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/?$/, handler: handleOverwrite },
    { method: 'DELETE', path: /^\/api\/file\/([A-Za-z0-9_-]{20})\/?$/, handler: handleDelete },
    // Store from URL (spec §5.2) and the simple store endpoint (§5.1).
    { method: 'POST', path: /^\/process\/?$/, handler: storeUrlHandler(opts.fetch) },
    { method: 'POST', path: /^\/api\/store\/([A-Za-z0-9]+)\/?$/, handler: storeApiHandler(opts.fetch) },
    // Ruby starts conversions with POST (spec §8).
    { method: 'POST', path: /\/video_convert(?:=|\/)/, handler: cdnHandler(processor, videoConvert) },
    // Python POSTs chains ending in `store` (spec §7.6).
    { method: 'POST', path: /\/store(?:=|\/)/, handler: cdnHandler(processor, videoConvert) },
    { method: 'GET', path: /^\/.+$/, handler: cdnHandler(processor, videoConvert) },
  ];
}
