import type { Handlers } from '../../../src-shared/ipc/dispatch.js';
import type { StudioService } from './service.js';

/** The `studio:*` channel handlers, spread into the app's handlers by compose.ts. */
export function createStudioHandlers(studio: StudioService): Pick<Handlers, 'studio:preview' | 'studio:store'> {
  return {
    'studio:preview': (req) => studio.preview(req.jobId, req.chain),
    'studio:store': (req) => studio.store(req.jobId, req.chain),
  };
}
