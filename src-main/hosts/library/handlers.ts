import type { Handlers } from '../../../src-shared/ipc/dispatch.js';
import type { LibraryService } from './service.js';

/** The channels the library serves. */
export type LibraryHandlers = Pick<Handlers, 'library:list' | 'library:place' | 'library:folders' | 'library:delete' | 'links:sign' | 'links:list'>;

/** One handler per library channel; payloads arrive validated by dispatch. */
export function createLibraryHandlers(library: LibraryService): LibraryHandlers {
  return {
    'library:list': (req) => library.list(req),
    'library:place': (req) => library.place(req),
    'library:folders': () => ({ folders: library.folders() }),
    'library:delete': async (req) => {
      await library.delete(req.id);
      return null;
    },
    'links:sign': (req) => library.sign(req),
    'links:list': (req) => ({ links: library.links(req.id) }),
  };
}
