import { describe, expect, it } from 'vitest';
import type { Job, UploadResult } from '../../src-shared/model/job.js';
import { donePersister, duplicatePersister, storedType } from '../../src-main/engine/done-record.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import { createEventHub } from '../../src-main/engine/events.js';
import { asJournal } from '../../src-main/engine/types.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const journal = () => createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, quiet);
const KEY = 'c'.repeat(64);
const result: UploadResult = { url: 'http://cloud/f/abc', remoteId: 'abc', size: 3, mimetype: 'application/octet-stream', filename: 'a.png' };

function doneJob(id: string, over: Partial<Job> = {}): Job {
  return {
    id, name: 'a.png', relativePath: null, sourcePath: `/src/${id}/a.png`, size: 3, destination: 'local',
    status: { kind: 'done', result, verifiedAt: 5 }, bytesSent: 3, attempts: 1, createdAt: 1, updatedAt: 5, ...over,
  };
}

describe('the stored type shown in the Library', () => {
  it('keeps what the service said unless it is the generic octet-stream; then guesses from the name', () => {
    expect(storedType('image/webp', 'a.png')).toBe('image/webp');
    expect(storedType('application/octet-stream', 'a.png')).toBe('image/png');
    expect(storedType(undefined, 'a.png')).toBe('image/png');
    expect(storedType('application/octet-stream', 'a.unknownext')).toBe('application/octet-stream');
    expect(storedType(undefined, 'noext')).toBeUndefined();
    expect(storedType('', 'noext')).toBeUndefined();
  });
});

describe('writing a done job', () => {
  it('with a journal and a content key: job, history entry (with the source version) and dropped checkpoint in one commit', () => {
    const j = journal();
    j.checkpoint('j1').save({ parts: 1 });
    donePersister(j, j, result, { key: KEY, size: 3, version: '1:2:3:4' }, 9)(doneJob('j1'));
    expect(j.loadAll().map((x) => x.id)).toEqual(['j1']);
    expect(j.checkpoint('j1').load()).toBeUndefined();
    const entry = j.history.findUploaded(KEY, 'local');
    expect(entry).toMatchObject({ jobId: 'j1', sha256: KEY, size: 3, url: result.url, remoteId: 'abc', finishedAt: 9, mimetype: 'image/png', sourceVersion: '1:2:3:4' });
  });

  it('a source that changed during the upload is recorded without a version', () => {
    const j = journal();
    donePersister(j, j, result, { key: KEY, size: 3, version: null }, 9)(doneJob('j1'));
    expect(j.history.findUploaded(KEY, 'local')).not.toHaveProperty('sourceVersion');
  });

  it('without a journal, or without a content key, the job is stored and its checkpoint cleared, and no history is written', () => {
    const store = createMemoryJobStore();
    store.checkpoint('j1').save({ parts: 1 });
    donePersister(store, null, result, { key: KEY, size: 3, version: null }, 9)(doneJob('j1'));
    expect(store.loadAll().map((x) => x.id)).toEqual(['j1']);
    expect(store.checkpoint('j1').load()).toBeUndefined();

    const j = journal();
    j.checkpoint('j2').save({ parts: 1 });
    donePersister(j, j, result, null, 9)(doneJob('j2'));
    expect(j.loadAll().map((x) => x.id)).toEqual(['j2']);
    expect(j.checkpoint('j2').load()).toBeUndefined();
    expect(j.history.recent(10)).toEqual([]);
  });
});

describe('writing a duplicate', () => {
  it('a new name for the same remote file is recorded as a duplicate of the original; the same name again only stores the job', () => {
    const j = journal();
    donePersister(j, j, result, { key: KEY, size: 3, version: null }, 9)(doneJob('orig'));
    const original = j.history.findUploaded(KEY, 'local')!;
    duplicatePersister(j, j, original, 20, '9:9:3:1')(doneJob('dup', { sourcePath: '/elsewhere/b.png', name: 'b.png' }));
    const same = j.history.sameFile('local', 'abc');
    const dup = same.find((e) => e.jobId === 'dup');
    expect(dup).toMatchObject({ origin: 'duplicate', sourceId: 'orig', sourcePath: '/elsewhere/b.png', finishedAt: 20, sourceVersion: '9:9:3:1', url: result.url });
    // A duplicate of the duplicate still points at the original upload.
    duplicatePersister(j, j, dup!, 30)(doneJob('dup2', { sourcePath: '/third/c.png', name: 'c.png' }));
    expect(j.history.sameFile('local', 'abc').find((e) => e.jobId === 'dup2')).toMatchObject({ sourceId: 'orig', origin: 'duplicate' });
    // The first name dropped again: the job is kept, the history does not grow.
    const before = j.history.sameFile('local', 'abc').length;
    duplicatePersister(j, j, original, 40)(doneJob('again', { sourcePath: '/src/orig/a.png' }));
    expect(j.history.sameFile('local', 'abc')).toHaveLength(before);
    expect(j.loadAll().map((x) => x.id)).toContain('again');
  });

  it('the same bytes as a file Ferry made point at that made file, not at what it was made from', () => {
    const j = journal();
    const made = { jobId: 'made', destination: 'local' as const, sourcePath: '', name: 'a-edited.webp', size: 3, sha256: KEY, url: 'u', remoteId: 'abc', finishedAt: 1, origin: 'transform' as const, sourceId: 'upload-1' };
    j.history.append(made);
    duplicatePersister(j, j, made, 5)(doneJob('d', { sourcePath: '/here/copy.webp', name: 'copy.webp' }));
    expect(j.history.get('d')).toMatchObject({ origin: 'duplicate', sourceId: 'made' });
  });

  it('a store is used as a journal only when it has both the one-commit write and the history lookups', () => {
    const store = createMemoryJobStore();
    const j = journal();
    expect(asJournal(store)).toBeNull();
    expect(asJournal(j)).toBe(j);
    expect(asJournal(Object.assign(createMemoryJobStore(), { commitDone: j.commitDone }))).toBeNull();
    expect(asJournal(Object.assign(createMemoryJobStore(), { history: j.history }))).toBeNull();
    expect(asJournal(Object.assign(createMemoryJobStore(), { commitDone: j.commitDone, history: {} }))).toBeNull();
  });

  it('without a journal only the job is stored', () => {
    const store = createMemoryJobStore();
    const existing = { jobId: 'o', destination: 'local' as const, sourcePath: '/o', size: 3, sha256: KEY, url: 'u', remoteId: 'abc', finishedAt: 1 };
    duplicatePersister(store, null, existing, 5)(doneJob('d'));
    expect(store.loadAll().map((x) => x.id)).toEqual(['d']);
  });
});

describe('the in-memory job store', () => {
  it('removing a job drops its checkpoint; checkpoints are copies', () => {
    const store = createMemoryJobStore();
    const state = { parts: [1] };
    store.put(doneJob('a'));
    store.checkpoint('a').save(state);
    state.parts.push(2);
    expect(store.checkpoint('a').load()).toEqual({ parts: [1] });
    store.checkpoint('a').clear();
    expect(store.checkpoint('a').load()).toBeUndefined();
    store.checkpoint('a').save(state);
    store.remove('a');
    expect(store.loadAll()).toEqual([]);
    expect(store.checkpoint('a').load()).toBeUndefined();
  });
});

describe('the engine event hub', () => {
  it('every listener hears each event; a throwing one is logged and the rest still hear; an unsubscribed one hears nothing; no listener is no error', () => {
    const errors: [string, Record<string, unknown> | undefined][] = [];
    const hub = createEventHub({ ...quiet, error: (m, fields) => void errors.push([m, fields]) });
    const heard: string[] = [];
    hub.emit('jobs:removed', { ids: ['nobody listens'] });
    hub.on('jobs:removed', () => {
      throw new Error('listener bug');
    });
    const off = hub.on('jobs:removed', ({ ids }) => heard.push(`gone ${ids.join()}`));
    hub.on('jobs:removed', ({ ids }) => heard.push(`kept ${ids.join()}`));
    hub.emit('jobs:removed', { ids: ['a'] });
    off();
    hub.emit('jobs:removed', { ids: ['b'] });
    expect(heard).toEqual(['gone a', 'kept a', 'kept b']);
    expect(errors).toEqual([
      ['event listener threw', { event: 'jobs:removed', error: 'Error: listener bug' }],
      ['event listener threw', { event: 'jobs:removed', error: 'Error: listener bug' }],
    ]);
  });
});
