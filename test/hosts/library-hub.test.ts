import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryItem, MediaJob } from '../../src-shared/ipc/channels.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import type { FerryApp } from '../../src-main/hosts/compose.js';
import { writeRandomFile } from '../support/files.js';
import { startStudioApp, writeJpeg, writeTestVideo } from './studio-support.js';

/**
 * The Library as the hub, through the real contract on a real app (engine, journal, local cloud):
 * folder paths are kept and searchable, a duplicate under a new name is recorded under that name
 * (same link, nothing sent), Studio and Media start from Library entries after "Clear finished",
 * and what they make is recorded in the Library, tied to its source.
 */

let app: FerryApp;
let close: () => Promise<void>;
let dir: string;
const media: MediaJob[] = [];

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const res = await dispatch(app.handlers, channel, payload);
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}
const list = (payload: Record<string, unknown> = {}) => call<{ total: number; items: LibraryItem[] }>('library:list', payload);
const named = async (name: string): Promise<LibraryItem> => {
  const item = (await list({ query: name })).items.find((i) => i.name === name);
  if (!item) throw new Error(`no Library item ${name}`);
  return item;
};
async function addAndSettle(paths: string[]): Promise<string[]> {
  const { jobIds } = await call<{ jobIds: string[] }>('jobs:add-paths', { paths });
  await app.engine.whenIdle();
  return jobIds;
}

beforeAll(async () => {
  ({ app, close, dir } = await startStudioApp());
  app.on('media:updated', ({ jobs }) => media.push(...jobs));
  const trip = path.join(dir, 'trip');
  await mkdir(path.join(trip, 'day1'), { recursive: true });
  await writeJpeg(path.join(trip, 'day1', 'harbour.jpg'), 320, 240);
  await writeRandomFile(path.join(trip, 'notes.bin'), 20_000);
  await writeTestVideo(path.join(dir, 'clip.mp4'));
  // A dropped folder keeps its structure; a single file has no folder path.
  await addAndSettle([trip]);
  await addAndSettle([path.join(dir, 'clip.mp4')]);
}, 60_000);
afterAll(async () => close?.());

describe('folder paths', () => {
  it('shows where a file sat in a dropped folder and finds files by that path', async () => {
    const harbour = await named('harbour.jpg');
    expect(harbour.relativePath).toBe('trip/day1/harbour.jpg');
    expect((await named('clip.mp4')).relativePath).toBeNull();
    expect((await list({ query: 'DAY1' })).items.map((i) => i.name)).toEqual(['harbour.jpg']);
    expect((await list({ query: 'trip/' })).items.map((i) => i.name).sort()).toEqual(['harbour.jpg', 'notes.bin']);
    // The local folder the drop came from is the user's disk layout, not a name: it does not match.
    expect((await list({ query: path.basename(dir) })).total).toBe(0);
  });

  it('filters by type: images, audio/video, video', async () => {
    expect((await list({ type: 'image' })).items.map((i) => i.name)).toEqual(['harbour.jpg']);
    expect((await list({ type: 'media' })).items.map((i) => i.name)).toEqual(['clip.mp4']);
    expect((await list({ type: 'video', query: 'clip' })).total).toBe(1);
    expect((await list({ type: 'audio' })).total).toBe(0);
    expect((await dispatch(app.handlers, 'library:list', { type: 'documents' })).ok).toBe(false);
  });
});

describe('duplicates under another name', () => {
  it('records the new name with the same link and nothing sent; the same name again adds nothing', async () => {
    const original = await named('notes.bin');
    const copy = path.join(dir, 'notes copy.bin');
    await copyFile(path.join(dir, 'trip', 'notes.bin'), copy);
    const before = (await list()).total;
    const [jobId] = await addAndSettle([copy]);
    expect(app.engine.get(jobId ?? '')?.status.kind).toBe('duplicate');

    const recorded = await named('notes copy.bin');
    expect(recorded).toMatchObject({ id: jobId, url: original.url, remoteId: original.remoteId, size: original.size });
    expect(recorded.madeFrom).toEqual({ kind: 'duplicate', id: original.id, name: 'notes.bin' });
    expect((await list()).total).toBe(before + 1);

    // The same file under the same name again: already in the Library under that name.
    await addAndSettle([copy]);
    expect((await list()).total).toBe(before + 1);
    // A duplicate of the duplicate still points at the original upload.
    const third = path.join(dir, 'notes third.bin');
    await copyFile(copy, third);
    await addAndSettle([third]);
    expect((await named('notes third.bin')).madeFrom).toMatchObject({ kind: 'duplicate', id: original.id });
  });

  it('deleting the file removes every name it was recorded under (their link is gone too)', async () => {
    const original = await named('notes.bin');
    await call('library:delete', { id: (await named('notes copy.bin')).id });
    expect((await fetch(original.url)).status).toBe(404);
    expect((await list({ query: 'notes' })).total).toBe(0);
  });
});

describe('Studio and Media start from the Library and record what they make', () => {
  it('after "Clear finished", a stored transform of a Library image is a Library entry tied to it', async () => {
    await call('jobs:clear-finished', {});
    expect(app.engine.list()).toEqual([]);
    const harbour = await named('harbour.jpg');
    const chain = { kind: 'filestack', steps: [{ name: 'resize', params: { width: 100 } }] };
    expect((await call<{ after: { width: number } }>('studio:preview', { jobId: harbour.id, chain })).after.width).toBe(100);
    const stored = await call<{ url: string; remoteId: string; libraryId: string | null }>('studio:store', { jobId: harbour.id, chain });
    expect(stored.libraryId).toEqual(expect.any(String));

    const made = await named('harbour-edited.jpg');
    expect(made).toMatchObject({ id: stored.libraryId, url: stored.url, remoteId: stored.remoteId, mimetype: 'image/jpeg', relativePath: null });
    expect(made.madeFrom).toEqual({ kind: 'transform', id: harbour.id, name: 'harbour.jpg' });
    const bytes = Buffer.from(await (await fetch(made.url)).arrayBuffer());
    expect(made.size).toBe(bytes.length);
    expect((await sharp(bytes).metadata()).width).toBe(100);
    // A made file is a source like any other: the Studio opens it.
    expect((await call<{ before: { width: number } }>('studio:preview', { jobId: made.id, chain: { kind: 'filestack', steps: [] } })).before.width).toBe(100);
  });

  it('after "Clear finished", a conversion of a Library video is a Library entry tied to it', async () => {
    const clip = await named('clip.mp4');
    const { mediaJobId } = await call<{ mediaJobId: string }>('media:convert', { jobId: clip.id, preset: 'webm', width: 80 });
    let done: MediaJob | undefined;
    for (let i = 0; i < 600 && !done; i++) {
      done = media.findLast((j) => j.id === mediaJobId && (j.status === 'completed' || j.status === 'failed'));
      if (!done) await new Promise((r) => setTimeout(r, 50));
    }
    expect(done).toMatchObject({ status: 'completed', sourceJobId: clip.id, libraryId: expect.any(String) });
    // The timeline starts at the source's upload, from the Library.
    expect(done?.timeline[0]).toEqual({ status: 'uploaded', at: clip.finishedAt });

    const made = await named('clip.webm');
    expect(made).toMatchObject({ id: done?.libraryId, url: done?.url, mimetype: 'video/webm' });
    expect(made.madeFrom).toEqual({ kind: 'conversion', id: clip.id, name: 'clip.mp4' });
    const bytes = Buffer.from(await (await fetch(made.url)).arrayBuffer());
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    expect(made.size).toBe(bytes.length);
    expect((await list({ type: 'video' })).items.map((i) => i.name).sort()).toEqual(['clip.mp4', 'clip.webm']);
  }, 30_000);
});
