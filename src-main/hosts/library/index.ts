import { join } from 'node:path';
import type { UploadHistory } from '../../engine/journal/types.js';
import type { Logger } from '../../engine/ports.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { createLibraryHandlers, type LibraryHandlers } from './handlers.js';
import { openSignedLinkStore } from './links-store.js';
import { createLibraryService, type LibraryService } from './service.js';
import { createTargetResolver, type FilestackTarget, type ImageKitTarget } from './targets.js';

export { loadOrCreateAppSecret } from './app-secret.js';
export { createMadeFileRecorder, type MadeFileRecorder } from './made-files.js';
export type { LibraryService } from './service.js';

/** Where the signed-link list lives inside the data dir. */
export const SIGNED_LINKS_FILE = join('library', 'signed-links.json');

/** What compose.ts passes to build the library. */
export type LibraryWiring = {
  readonly dataDir: string;
  readonly history: UploadHistory | null;
  /** The local cloud as a Filestack target (its `secret` is the per-install app secret). */
  readonly local: FilestackTarget;
  /** The keychain, for real Filestack's key and secret. */
  readonly secrets?: () => Promise<SecretStore>;
  /** The accounts the destinations use (see targets.ts createTargetResolver). */
  readonly filestack?: () => FilestackTarget | null;
  readonly imagekit?: () => ImageKitTarget | null;
  readonly logger: Logger;
};

/** Builds the library service and its channel handlers (for compose.ts to spread in). */
export async function createLibrary(w: LibraryWiring): Promise<{ service: LibraryService; handlers: LibraryHandlers }> {
  const links = await openSignedLinkStore(join(w.dataDir, SIGNED_LINKS_FILE), { logger: w.logger });
  const targets = createTargetResolver({
    local: w.local,
    ...(w.secrets ? { secrets: w.secrets } : {}),
    ...(w.filestack ? { filestack: w.filestack } : {}),
    ...(w.imagekit ? { imagekit: w.imagekit } : {}),
  });
  const service = createLibraryService({ history: w.history, targets, links, logger: w.logger });
  return { service, handlers: createLibraryHandlers(service) };
}
