import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { watchFolderSchema, type WatchFolder } from '../../src-shared/ipc/channels.js';
import { errnoCode } from '../engine/file-system.js';
import type { Logger } from '../engine/ports.js';

/** The watch-folder settings file inside the data dir. */
export const FOLDERS_FILE = 'watch-folders.json';

const fileSchema = z.object({ version: z.literal(1), folders: z.array(watchFolderSchema) });

/** Persists the list of watched folders as one JSON file, written atomically. */
export type FoldersStore = {
  load(): Promise<WatchFolder[]>;
  save(folders: readonly WatchFolder[]): Promise<void>;
};

/**
 * Reads and writes `<dataDir>/watch-folders.json`. A file that is not JSON or not our schema is
 * moved aside (`.corrupt-<ms>`, kept for the user) and Ferry starts with no watched folders:
 * bad settings must never stop the app from starting (row 8).
 */
export function createFoldersStore(dataDir: string, logger: Logger): FoldersStore {
  const file = path.join(dataDir, FOLDERS_FILE);
  let writes: Promise<void> = Promise.resolve();
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (thrown) {
        if (errnoCode(thrown) === 'ENOENT') return [];
        throw thrown;
      }
      let parsed: z.infer<typeof fileSchema> | null = null;
      try {
        const result = fileSchema.safeParse(JSON.parse(text));
        if (result.success) parsed = result.data;
      } catch {
        parsed = null;
      }
      if (parsed) return parsed.folders;
      const aside = `${file}.corrupt-${Date.now()}`;
      await rename(file, aside);
      logger.warn('watch folder settings unreadable; moved aside', { file, aside });
      return [];
    },
    save(folders) {
      // Writes are chained so two quick edits can never interleave their temp files.
      const body = JSON.stringify({ version: 1, folders }, null, 2);
      writes = writes.catch(() => undefined).then(() => writeAtomic(file, body));
      return writes;
    },
  };
}

/** Write to a sibling temp file, fsync, then rename over the target: readers see old or new. */
async function writeAtomic(file: string, body: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(body, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
