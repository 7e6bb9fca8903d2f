/**
 * The ImageKit file index of one account: files with their versions, folders, custom metadata
 * fields, purge requests and bulk jobs. Blobs live in the shared Storage (atomic commit); the
 * index is one JSON file rewritten atomically after every change. Changes run one at a time
 * (`mutate`), so two uploads of the same name cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Storage } from '../storage.js';
import type { ResolvedAccount } from './account.js';
import type { Probe } from './metadata.js';

/** An AI tag (`source` e.g. `google-auto-tagging`). The emulator never invents any. */
export type AITag = { name: string; confidence: number; source: string };

/** One stored version of a file's bytes. Times are epoch ms. */
export type VersionRecord = {
  versionId: string;
  /** 1-based; the version name is `Version <number>`. */
  number: number;
  /** Storage blob handle (may be shared with copies; removed when nothing references it). */
  handle: string;
  size: number;
  createdAt: number;
} & Probe;

/** One file (its current version is `versions` entry `currentVersionId`). */
export type FileRecord = {
  fileId: string;
  name: string;
  /** `/` or `/a/b/`. */
  folder: string;
  tags: string[] | null;
  AITags: AITag[] | null;
  customCoordinates: string | null;
  customMetadata: Record<string, unknown>;
  isPrivateFile: boolean;
  isPublished: boolean;
  description?: string;
  extensionStatus?: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  currentVersionId: string;
  versions: VersionRecord[];
  nextVersion: number;
};

export type FolderRecord = { folderId: string; path: string; createdAt: number; updatedAt: number };

/** Custom metadata field (§6); deleted fields are kept so `includeDeleted=true` can list them. */
export type FieldRecord = { id: string; name: string; label: string; schema: Record<string, unknown>; description?: string; deleted: boolean };

export type PurgeRecord = { requestId: string; url: string; createdAt: number };
export type BulkJobRecord = { jobId: string; type: 'COPY_FOLDER' | 'MOVE_FOLDER' | 'RENAME_FOLDER'; status: 'Pending' | 'Completed'; purgeRequestId?: string };

type IndexData = { files: FileRecord[]; folders: FolderRecord[]; fields: FieldRecord[]; purges: PurgeRecord[]; jobs: BulkJobRecord[] };

/** 24 lowercase hex characters, the shape of ImageKit's ids. */
export const newId = (): string => randomBytes(12).toString('hex');

/** `<folder><name>` */
export const filePathOf = (f: Pick<FileRecord, 'folder' | 'name'>): string => f.folder + f.name;

/** The current version of a file. */
export function currentVersion(f: FileRecord): VersionRecord {
  const v = f.versions.find((x) => x.versionId === f.currentVersionId) ?? f.versions[f.versions.length - 1];
  if (!v) throw new Error(`File ${f.fileId} has no versions.`);
  return v;
}

/** One account's index. */
export class ImageKitStore {
  readonly files = new Map<string, FileRecord>();
  readonly folders = new Map<string, FolderRecord>();
  readonly fields = new Map<string, FieldRecord>();
  readonly purges = new Map<string, PurgeRecord>();
  readonly jobs = new Map<string, BulkJobRecord>();
  /** Client-side upload tokens already used (memory only: tokens live at most an hour). */
  readonly seenTokens = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly storage: Storage,
    readonly account: ResolvedAccount,
    private readonly file: string,
  ) {}

  /** Loads (or starts) the index of `account` under the storage's data folder. */
  static async open(storage: Storage, account: ResolvedAccount): Promise<ImageKitStore> {
    const dir = path.join(storage.dataDir, 'imagekit');
    await mkdir(dir, { recursive: true });
    const store = new ImageKitStore(storage, account, path.join(dir, `${account.imagekitId}.json`));
    let data: Partial<IndexData> = {};
    try {
      data = JSON.parse(await readFile(store.file, 'utf8')) as Partial<IndexData>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const f of data.files ?? []) store.files.set(f.fileId, f);
    for (const f of data.folders ?? []) store.folders.set(f.path, f);
    for (const f of data.fields ?? []) store.fields.set(f.id, f);
    for (const p of data.purges ?? []) store.purges.set(p.requestId, p);
    for (const j of data.jobs ?? []) store.jobs.set(j.jobId, j);
    return store;
  }

  /**
   * Runs `fn` after every earlier change finished, then persists the index. `fn` must validate
   * before it changes anything: a throw skips the save but keeps in-memory edits.
   */
  mutate<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.chain.then(fn).then(async (value) => {
      await this.save();
      return value;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async save(): Promise<void> {
    const data: IndexData = {
      files: [...this.files.values()],
      folders: [...this.folders.values()],
      fields: [...this.fields.values()],
      purges: [...this.purges.values()],
      jobs: [...this.jobs.values()],
    };
    await this.storage.writeJsonAtomic(this.file, data);
  }

  /** The file at `filePath` (`/a/b.jpg`), if any. */
  byPath(filePath: string): FileRecord | undefined {
    for (const f of this.files.values()) if (filePathOf(f) === filePath) return f;
    return undefined;
  }

  /** True when the folder exists (`/` always does). */
  hasFolder(folder: string): boolean {
    return folder === '/' || this.folders.has(folder);
  }

  /** Creates `folder` and its missing parents (call inside `mutate`). */
  ensureFolder(folder: string, now = Date.now()): void {
    const parts = folder.split('/').filter((s) => s !== '');
    let p = '/';
    for (const part of parts) {
      p += `${part}/`;
      if (!this.folders.has(p)) this.folders.set(p, { folderId: newId(), path: p, createdAt: now, updatedAt: now });
    }
  }

  /** Removes a blob once no version of any file references it any more. */
  async releaseBlob(handle: string): Promise<void> {
    for (const f of this.files.values()) if (f.versions.some((v) => v.handle === handle)) return;
    await this.storage.remove(handle);
  }

  /** Absolute path of a version's bytes. */
  blobPath(v: VersionRecord): string {
    return this.storage.blobPath(v.handle);
  }
}
