/**
 * What every authenticated ImageKit API handler receives: the request plus the account the
 * credentials identified and that account's index.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext } from '../context.js';
import type { RenderCache } from '../processing/cache.js';
import type { MediaCache } from '../processing/media-cache.js';
import type { ImageKitFrontEndOptions, ResolvedAccount } from './account.js';
import type { ImageKitStore } from './store.js';

/** One API call after authentication. `endpoint` = `<baseUrl><urlEndpointPath>`. */
export type ApiCall = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly match: RegExpExecArray;
  readonly ctx: CloudContext;
  readonly account: ResolvedAccount;
  readonly store: ImageKitStore;
  readonly endpoint: string;
  readonly runtime: ImageKitRuntime;
};

/** A handler of the media API. */
export type ApiHandler = (call: ApiCall) => Promise<void> | void;

/** Per-server state of the ImageKit front end. */
export type ImageKitRuntime = {
  readonly accounts: readonly ResolvedAccount[];
  readonly options: ImageKitFrontEndOptions;
  readonly cache: RenderCache;
  /** The disk cache and work bounds of video outputs, opened on first use. */
  media(ctx: CloudContext): Promise<MediaCache>;
  /** The account's index, opened on first use. */
  storeFor(ctx: CloudContext, account: ResolvedAccount): Promise<ImageKitStore>;
};
