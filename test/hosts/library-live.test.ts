import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal, type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';
import { createApp } from '../../src-main/hosts/compose.js';
import { observeLibraryAdds } from '../../src-main/hosts/library/added-feed.js';
import { type LibraryService } from '../../src-main/hosts/library/service.js';
import { channels, type EventPayload, type ResponseOf } from '../../src-shared/ipc/channels.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { LIBRARY_SORTS } from '../../src-shared/model/library.js';
import { libraryRig } from '../support/library-rig.js';

/**
 * What an open Library needs from the host: filters by date and size (and the `other` type) done
 * in the journal, the place of new entries in any order and filter (`library:place`), and one
 * coalesced `library:added` when entries enter the journal, from an upload or a made file.
 */

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function row(jobId: string, over: Partial<UploadHistoryEntry>): UploadHistoryEntry {
  return { jobId, destination: 'local', sourcePath: `/in/${jobId}`, size: 10, sha256: '', url: `http://x/${jobId}`, remoteId: `h-${jobId}`, finishedAt: T0, ...over };
}

const ROWS: UploadHistoryEntry[] = [
  row('old-photo', { sourcePath: '/in/old.jpg', mimetype: 'image/jpeg', size: 2_000_000, finishedAt: T0 - 40 * DAY }),
  row('week-notes', { sourcePath: '/in/notes.txt', mimetype: 'text/plain', size: 900, finishedAt: T0 - 3 * DAY }),
  row('today-clip', { sourcePath: '/in/clip.mp4', mimetype: 'video/mp4', size: 150_000_000, finishedAt: T0 - 1000, destination: 'imagekit' }),
  row('today-song', { sourcePath: '/in/song.mp3', mimetype: 'audio/mpeg', size: 4_000_000, finishedAt: T0 - 500, relativePath: 'music/song.mp3' }),
];

const rig = libraryRig('ferry-library-live-', ROWS);
const serviceOver = rig.serviceOver;

describe.each(['sqlite', 'memory'] as const)('library filters and places (%s journal)', (kind) => {
  it('filters by date, size and type where the entries are stored', async () => {
    const service = await serviceOver(kind);
    const ids = async (req: Parameters<LibraryService['list']>[0]) => (await service.list(req)).items.map((i) => i.id);
    expect(await ids({ since: T0 - DAY })).toEqual(['today-song', 'today-clip']);
    expect(await ids({ since: T0 - 7 * DAY })).toEqual(['today-song', 'today-clip', 'week-notes']);
    expect(await ids({ before: T0 - 30 * DAY })).toEqual(['old-photo']);
    // Sizes: at least minSize, under maxSize.
    expect(await ids({ maxSize: 1_000_000 })).toEqual(['week-notes']);
    expect(await ids({ minSize: 1_000_000, maxSize: 100_000_000 })).toEqual(['today-song', 'old-photo']);
    expect(await ids({ minSize: 100_000_000 })).toEqual(['today-clip']);
    expect(await ids({ type: 'other' })).toEqual(['week-notes']);
    expect(await ids({ type: 'media', destination: 'local' })).toEqual(['today-song']);
    const page = await service.list({ since: T0 - 7 * DAY, minSize: 1_000_000, limit: 1 });
    expect(page.total).toBe(2);
  });

  it('places entries where library:list would list them, for every sort and within the filter', async () => {
    const service = await serviceOver(kind);
    rig.journal().history.append(row('new-a', { sourcePath: '/in/Apple.png', mimetype: 'image/png', size: 3_000_000, finishedAt: T0 + 1 }));
    rig.journal().history.append(row('new-b', { sourcePath: '/in/zz.txt', mimetype: 'text/plain', size: 1, finishedAt: T0 + 2 }));
    for (const sort of LIBRARY_SORTS) {
      const all = (await service.list({ sort })).items.map((i) => i.id);
      const placed = await service.place({ sort, ids: ['new-b', 'new-a', 'unknown'] });
      expect(placed.total).toBe(6);
      expect(placed.placed.map((p) => [p.item.id, p.index]), sort).toEqual(
        ['new-a', 'new-b'].map((id) => [id, all.indexOf(id)]).sort((x, y) => (x[1] as number) - (y[1] as number)),
      );
    }
    // A filter leaves out what does not match and counts only what does.
    const images = await service.place({ type: 'image', sort: 'name', ids: ['new-a', 'new-b'] });
    expect(images).toMatchObject({ total: 2, placed: [{ index: 0, item: { id: 'new-a', name: 'Apple.png' } }] });
    expect((await service.place({ folder: 'music/', ids: ['new-a'] })).placed).toEqual([]);
  });
});

describe('library:added', () => {
  it('announces what enters the journal once per burst, after it is stored', async () => {
    const journal = rig.track(openJournal({ dir: rig.dir() }));
    const heard: string[][] = [];
    const { journal: observed, close } = observeLibraryAdds(journal, (ids) => heard.push(ids), 20);
    observed.history.append(row('made', {}));
    observed.history.append(row('made-2', {}));
    expect(heard).toEqual([]);
    await expect.poll(() => heard).toEqual([['made', 'made-2']]);
    // Announced ids are already readable.
    expect(observed.history.get('made')?.jobId).toBe('made');
    // Everything else passes through to the real journal (its private fields included).
    expect(observed.status.mode).toBe('sqlite');
    expect(observed.loadAll()).toEqual([]);
    close();
  });

  it('reaches the app event stream when an upload finishes behind the window (a CLI hand-off)', async () => {
    const files = path.join(rig.dir(), 'files');
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'handed-off.txt'), 'sent by `ferry` to the running app\n');
    const app = await createApp({ dataDir: path.join(rig.dir(), 'data'), host: 'web', allowedRoots: [rig.dir()] });
    try {
      const heard: EventPayload<'library:added'>[] = [];
      const off = app.on('library:added', (p) => heard.push(p));
      await app.engine.addPaths([path.join(files, 'handed-off.txt')]);
      await app.engine.whenIdle();
      await expect.poll(() => heard.length).toBe(1);
      const res = await dispatch(app.handlers, 'library:place', { ids: heard[0]!.ids });
      const placed = res.ok ? (res.value as ResponseOf<'library:place'>).placed : [];
      expect(placed.map((p) => [p.index, p.item.name])).toEqual([[0, 'handed-off.txt']]);
      off();
    } finally {
      await app.close();
    }
  }, 30_000);
});

describe('library filter contract', () => {
  it('takes dates and sizes as whole non-negative numbers and a bounded id list', () => {
    const list = channels['library:list'].request;
    expect(list.safeParse({ since: T0, before: T0 + DAY, minSize: 0, maxSize: 1_000_000, type: 'other' }).success).toBe(true);
    expect(list.safeParse({ minSize: -1 }).success).toBe(false);
    expect(list.safeParse({ since: 1.5 }).success).toBe(false);
    const place = channels['library:place'].request;
    expect(place.safeParse({ ids: ['a'], sort: 'name' }).success).toBe(true);
    expect(place.safeParse({ ids: [] }).success).toBe(false);
    expect(place.safeParse({ ids: ['../x'] }).success).toBe(false);
  });
});
