import { describe, expect, it } from 'vitest';
import { type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';
import { channels } from '../../src-shared/ipc/channels.js';
import { LIBRARY_SORTS } from '../../src-shared/model/library.js';
import { libraryRig } from '../support/library-rig.js';

/**
 * `library:list`'s sort and folder filter over real journal rows: each order as the user picks
 * it, ties broken newest first so pages never repeat or skip an entry; the folder tree from the
 * stored paths; both journals agreeing exactly.
 */

const T0 = Date.UTC(2026, 0, 1);

function row(jobId: string, over: Partial<UploadHistoryEntry>): UploadHistoryEntry {
  return { jobId, destination: 'local', sourcePath: `/home/me/${jobId}`, size: 10, sha256: jobId.padEnd(64, '0'), url: `http://x/${jobId}`, remoteId: `h-${jobId}`, finishedAt: T0, ...over };
}

// Names differ in case and sizes tie, so each sort has something to decide.
const ROWS: UploadHistoryEntry[] = [
  row('a', { sourcePath: '/in/beach.jpg', size: 300, finishedAt: T0 + 1 }),
  row('b', { sourcePath: '/in/Zebra.png', size: 50, finishedAt: T0 + 4 }),
  row('c', { sourcePath: '/in/apple.txt', size: 300, finishedAt: T0 + 3 }),
  row('d', { sourcePath: '', name: 'Cat-edited.webp', sha256: '', origin: 'transform', sourceId: 'a', size: 7, finishedAt: T0 + 2 }),
  row('e', { sourcePath: '/in/dog.mp4', relativePath: 'pets/dog.mp4', size: 9000, finishedAt: T0 + 5, destination: 'filestack' }),
];

const rig = libraryRig('ferry-library-sort-', ROWS);
const serviceOver = rig.serviceOver;

describe.each(['sqlite', 'memory'] as const)('library:list sort (%s journal)', (kind) => {
  it('orders by each sort, newest first by default and on ties', async () => {
    const service = await serviceOver(kind);
    const ids = async (sort?: (typeof LIBRARY_SORTS)[number]) => (await service.list(sort ? { sort } : {})).items.map((i) => i.id);
    expect(await ids()).toEqual(['e', 'b', 'c', 'd', 'a']);
    expect(await ids('newest')).toEqual(['e', 'b', 'c', 'd', 'a']);
    expect(await ids('oldest')).toEqual(['a', 'd', 'c', 'b', 'e']);
    // a and c are both 300 B: the newer (c) first.
    expect(await ids('largest')).toEqual(['e', 'c', 'a', 'b', 'd']);
    expect(await ids('smallest')).toEqual(['d', 'b', 'c', 'a', 'e']);
    // By the shown name, ignoring case: apple, beach, Cat-edited, dog, Zebra.
    expect(await ids('name')).toEqual(['c', 'a', 'd', 'e', 'b']);
  });

  it('keeps the filters and pages through a sort without repeats', async () => {
    const service = await serviceOver(kind);
    const first = await service.list({ sort: 'largest', limit: 2 });
    const rest = await service.list({ sort: 'largest', limit: 2, offset: 2 });
    const last = await service.list({ sort: 'largest', limit: 2, offset: 4 });
    expect(first.total).toBe(5);
    expect([...first.items, ...rest.items, ...last.items].map((i) => i.id)).toEqual(['e', 'c', 'a', 'b', 'd']);
    const local = await service.list({ sort: 'smallest', destination: 'local' });
    expect(local.items.map((i) => i.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe.each(['sqlite', 'memory'] as const)('library folders (%s journal)', (kind) => {
  it('builds the folder tree from stored paths and filters to a folder and everything inside it', async () => {
    const service = await serviceOver(kind);
    rig.journal().history.append(row('f1', { sourcePath: '/in/x.jpg', relativePath: 'pets/cats/x.jpg', finishedAt: T0 + 6 }));
    rig.journal().history.append(row('f2', { sourcePath: '/in/y.jpg', relativePath: 'pets/cats/y.jpg', finishedAt: T0 + 7 }));
    rig.journal().history.append(row('f3', { sourcePath: '/in/z.jpg', relativePath: 'petshop/z.jpg', finishedAt: T0 + 8 }));
    expect(service.folders()).toEqual([
      { path: 'pets/', count: 3 },
      { path: 'pets/cats/', count: 2 },
      { path: 'petshop/', count: 1 },
    ]);
    const ids = async (folder: string, sort?: 'name') => (await service.list({ folder, ...(sort ? { sort } : {}) })).items.map((i) => i.id);
    // A prefix of whole folders: `pets/` is not `petshop/`.
    expect(await ids('pets/')).toEqual(['f2', 'f1', 'e']);
    expect(await ids('pets/cats/')).toEqual(['f2', 'f1']);
    expect(await ids('pets/', 'name')).toEqual(['e', 'f1', 'f2']);
    expect((await service.list({ folder: 'nowhere/' })).total).toBe(0);
  });
});

describe('library:list sort contract', () => {
  it('takes the known sorts and refuses any other', () => {
    const schema = channels['library:list'].request;
    for (const sort of LIBRARY_SORTS) expect(schema.safeParse({ sort }).success).toBe(true);
    expect(schema.safeParse({ sort: 'random' }).success).toBe(false);
    // A folder is a whole path segment: it ends in `/`.
    expect(schema.safeParse({ folder: 'trip/' }).success).toBe(true);
    expect(schema.safeParse({ folder: 'trip' }).success).toBe(false);
  });
});
