import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import type { UploadHistoryEntry } from '../../src-main/engine/journal/types.js';

/**
 * Grows a Library to `count` entries beside a running app, through a second connection to its
 * journal (SQLite WAL lets both read and write). The entries repeat the real uploads already
 * there — same stored file, link and thumbnail — under new names in folders, older than them, as
 * if the same files had been dropped many times; 10,000 real uploads would take minutes, and the
 * window only reads the Library, so what it shows is the same. Returns the entries added and
 * the Library's size after (the app must have no other entries arriving meanwhile).
 */
export function seedLibrary(dataDir: string, count: number): { added: UploadHistoryEntry[]; total: number } {
  const journal = openJournal({ dir: dataDir });
  try {
    const real = journal.history.recent(100_000);
    const oldest = Math.min(...real.map((e) => e.finishedAt));
    if (real.length === 0) throw new Error('seedLibrary needs at least one real upload to repeat');
    const added: UploadHistoryEntry[] = [];
    for (let i = 0; i < count; i++) {
      const from = real[i % real.length] as UploadHistoryEntry;
      const name = from.name ?? from.sourcePath.split('/').pop() ?? 'file';
      const dot = name.lastIndexOf('.');
      const copyName = `${dot > 0 ? name.slice(0, dot) : name}-${String(i).padStart(5, '0')}${dot > 0 ? name.slice(dot) : ''}`;
      const folder = `album-${String(i % 40).padStart(2, '0')}`;
      // No content key: a seeded entry is never offered as a duplicate's original.
      const entry: UploadHistoryEntry = { ...from, jobId: `seed-${i}`, name: copyName, relativePath: `${folder}/${copyName}`, sourcePath: `/seed/${folder}/${copyName}`, sha256: '', finishedAt: oldest - (i + 1) * 1000 };
      journal.history.append(entry);
      added.push(entry);
    }
    return { added, total: real.length + count };
  } finally {
    journal.close();
  }
}
