/** A Library service over real journal rows, in either journal, for the host's library tests. */
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openJournal, type Journal, type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { openSignedLinkStore } from '../../src-main/hosts/library/links-store.js';
import { createLibraryService, type LibraryService } from '../../src-main/hosts/library/service.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export const quiet = { info() {}, warn() {}, error() {} };

/**
 * Registers a fresh temp dir per test and closes the journal after it; `serviceOver` fills the
 * chosen journal with `rows` and answers the service over it.
 */
export type LibraryRig = {
  serviceOver(kind: 'sqlite' | 'memory'): Promise<LibraryService>;
  /** The journal the last `serviceOver` (or `track`) opened. */
  journal(): Journal;
  /** Closes `j` after the test, like the rig's own. */
  track(j: Journal): Journal;
  dir(): string;
};

export function libraryRig(prefix: string, rows: readonly UploadHistoryEntry[]): LibraryRig {
  let dir = '';
  let journal: Journal | null = null;
  beforeEach(async () => {
    dir = await makeTempDir(prefix);
  });
  afterEach(async () => {
    journal?.close();
    journal = null;
    await removeTempDir(dir);
  });
  return {
    dir: () => dir,
    journal() {
      if (journal === null) throw new Error('no journal open: call serviceOver first');
      return journal;
    },
    track(j) {
      journal = j;
      return j;
    },
    async serviceOver(kind) {
      journal = kind === 'sqlite' ? openJournal({ dir }) : createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, quiet);
      for (const r of rows) journal.history.append(r);
      const links = await openSignedLinkStore(path.join(dir, 'links.json'), { logger: quiet });
      return createLibraryService({ history: journal.history, targets: async () => null, links, logger: quiet });
    },
  };
}
