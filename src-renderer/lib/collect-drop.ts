import type { DroppedEntry } from './api.js';

/** Refuses to walk absurdly deep trees (symlink loops on some platforms). */
const MAX_DEPTH = 64;

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries hands out at most ~100 children per call; keep asking until it returns none. */
async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, inFolder: boolean, depth: number, out: DroppedEntry[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    // fullPath is "/folder/sub/file" inside the drop's virtual root.
    out.push({ file, relativePath: inFolder ? entry.fullPath.replace(/^\/+/, '') : null });
  } else if (entry.isDirectory && depth < MAX_DEPTH) {
    for (const child of await childrenOf(entry as FileSystemDirectoryEntry)) {
      await walk(child, true, depth + 1, out);
    }
  }
}

/**
 * Collects the files of a drop, walking dropped folders and keeping `folder/sub/file` relative
 * paths. Must be called inside the drop handler: the DataTransfer is emptied once it returns,
 * so entries are taken synchronously before the first await.
 */
export function collectDrop(data: DataTransfer): Promise<{ entries: DroppedEntry[]; unreadable: number }> {
  const roots: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry) roots.push(entry);
    else {
      // Synthetic or non-filesystem drops have no entry; the File itself still works.
      const file = item.getAsFile();
      if (file) plain.push(file);
    }
  }
  if (roots.length === 0 && plain.length === 0) {
    plain.push(...Array.from(data.files));
  }
  return (async () => {
    const entries: DroppedEntry[] = plain.map((file) => ({ file, relativePath: null }));
    let unreadable = 0;
    for (const root of roots) {
      try {
        await walk(root, false, 0, entries);
      } catch {
        // A file deleted or locked between drop and read; report the count, keep the rest.
        unreadable += 1;
      }
    }
    return { entries, unreadable };
  })();
}

/** Files from an `<input type=file>`; folder pickers fill `webkitRelativePath`. */
export function collectPicked(files: FileList | null): DroppedEntry[] {
  return Array.from(files ?? [], (file) => ({ file, relativePath: file.webkitRelativePath || null }));
}
