import { describe, expect, it } from 'vitest';
import type { LinkActionsEvent } from '../../src-shared/ipc/channels.js';
import { formatLink } from '../../src-shared/links.js';
import type { JobStatus, JobView } from '../../src-shared/model/job.js';
import type { LinkActions } from '../../src-shared/model/transfer-settings.js';
import { createLinkActions, MAX_OPEN_PER_BATCH } from '../../src-main/hosts/link-actions.js';
import type { Timers } from '../../src-main/engine/progress.js';

/** Timers that fire only when the test says so. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let seq = 0;
  const timers: Timers = {
    setTimeout: (fn) => (pending.set(++seq, fn), seq),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return { timers, fire: () => [...pending.entries()].forEach(([id, fn]) => (pending.delete(id), fn())) };
}

const T0 = 1_000_000;
const done = (url: string, mimetype = 'image/png'): JobStatus => ({ kind: 'done', verifiedAt: T0 + 5, result: { url, remoteId: 'r', size: 1, mimetype, filename: 'x' } });

function job(id: string, status: JobStatus, over: Partial<JobView> = {}): JobView {
  return { id, name: `${id}.png`, relativePath: null, size: 1, destination: 'local', status, bytesSent: 0, attempts: 1, createdAt: T0 + 1, updatedAt: T0 + 2, speedBps: 0, etaSeconds: null, batchId: 'b1', ...over };
}

function setup(actions: Partial<LinkActions> = {}, perJob?: (j: JobView) => LinkActions | undefined) {
  const { timers, fire } = manualTimers();
  const events: LinkActionsEvent[] = [];
  const base: LinkActions = { copy: null, open: false, notify: false, ...actions };
  const planner = createLinkActions({ actionsFor: (j) => perJob?.(j) ?? base, emit: (e) => events.push(e), now: () => T0, timers });
  return { planner, events, fire };
}

describe('after-upload link actions', () => {
  it('copies each link as it is verified; the clipboard holds the whole batch so far, formatted', () => {
    const { planner, events } = setup({ copy: 'markdown' });
    planner.update([job('a', { kind: 'uploading' }), job('b', { kind: 'queued' })]);
    expect(events).toEqual([]);
    planner.update([job('a', done('http://c/A'))]);
    expect(events.at(-1)?.copy).toEqual({ text: '![a.png](http://c/A)', count: 1 });
    planner.update([job('b', done('http://c/B', 'application/pdf'), { name: 'b.pdf' })]);
    expect(events.at(-1)?.copy).toEqual({ text: '![a.png](http://c/A)\n[b.pdf](http://c/B)', count: 2 });
    // The same finish pushed again acts once.
    planner.update([job('b', done('http://c/B', 'application/pdf'), { name: 'b.pdf' })]);
    expect(events).toHaveLength(2);
  });

  it('never acts on uploads that finished before this launch', () => {
    const { planner, events, fire } = setup({ copy: 'url', open: true, notify: true });
    planner.update([job('old', done('http://c/old'), { createdAt: T0 - 10 })]);
    fire();
    expect(events).toEqual([]);
  });

  it('opens a few links per batch, not one tab per file of a dropped folder', () => {
    const { planner, events } = setup({ open: true });
    const ids = Array.from({ length: 8 }, (_, i) => `f${i}`);
    planner.update(ids.map((id) => job(id, { kind: 'queued' })));
    planner.update(ids.map((id) => job(id, done(`http://c/${id}`))));
    expect(events.flatMap((e) => e.open)).toHaveLength(MAX_OPEN_PER_BATCH);
  });

  it('announces a finished batch once, with "already there", and stays quiet when it had failures', () => {
    const { planner, events, fire } = setup({ notify: true });
    planner.update([job('a', { kind: 'uploading' }), job('b', { kind: 'uploading' })]);
    planner.update([job('a', done('http://c/A'))]);
    fire();
    expect(events).toEqual([]); // b still running
    planner.update([job('b', { kind: 'duplicate', existing: { url: 'http://c/old', remoteId: 'o', finishedAt: 1 } })]);
    fire();
    expect(events.map((e) => e.notice?.title)).toEqual(['1 file uploaded, 1 already there']);

    planner.update([job('c', { kind: 'uploading' }, { batchId: 'b2' }), job('d', { kind: 'uploading' }, { batchId: 'b2' })]);
    planner.update([job('c', done('http://c/C'), { batchId: 'b2' }), job('d', { kind: 'failed', error: { code: 'network', message: 'x', retryable: true } }, { batchId: 'b2' })]);
    fire();
    expect(events).toHaveLength(1);
  });

  it('a watch folder’s own actions win over its destination’s', () => {
    const folder: LinkActions = { copy: 'bbcode', open: false, notify: false };
    const { planner, events } = setup({ copy: 'url' }, (j) => (j.watchFolderId === 'w1' ? folder : undefined));
    planner.update([job('w', done('http://c/W'), { watchFolderId: 'w1', batchId: 'wb' })]);
    expect(events.at(-1)?.copy?.text).toBe('[img]http://c/W[/img]');
    planner.update([job('u', done('http://c/U'), { batchId: 'ub' })]);
    expect(events.at(-1)?.copy?.text).toBe('http://c/U');
  });
});

describe('formatLink', () => {
  it.each([
    ['url', false, 'http://h/a b'],
    ['markdown', false, '[My \\[file\\]](http://h/a%20b)'],
    ['markdown', true, '![My \\[file\\]](http://h/a%20b)'],
    ['html', false, '<a href="http://h/a b">My [file]</a>'],
    ['html', true, '<img src="http://h/a b" alt="My [file]">'],
    ['bbcode', false, '[url=http://h/a%20b]My (file)[/url]'],
    ['bbcode', true, '[img]http://h/a%20b[/img]'],
  ] as const)('%s (image: %s)', (format, image, want) => {
    expect(formatLink('http://h/a b', 'My [file]', format, { image })).toBe(want);
  });
});

describe('link actions in the settings schema', () => {
  it('older settings files get the defaults; a patch must name all destinations and valid formats', async () => {
    const { transferSettingsSchema, transferSettingsPatchSchema, DEFAULT_TRANSFER_SETTINGS } = await import('../../src-shared/model/transfer-settings.js');
    const old = transferSettingsSchema.parse({ fileConcurrency: 2, partConcurrency: 3, bandwidthLimit: 0 });
    expect(old.linkActions).toEqual(DEFAULT_TRANSFER_SETTINGS.linkActions);
    const ok = { copy: 'bbcode', open: true, notify: false } as const;
    expect(transferSettingsPatchSchema.safeParse({ linkActions: { local: ok, filestack: ok, imagekit: ok } }).success).toBe(true);
    expect(transferSettingsPatchSchema.safeParse({ linkActions: { local: ok } }).success).toBe(false);
    expect(transferSettingsPatchSchema.safeParse({ linkActions: { local: { ...ok, copy: 'rtf' }, filestack: ok, imagekit: ok } }).success).toBe(false);
    expect(transferSettingsPatchSchema.safeParse({ linkActions: { local: { ...ok, run: 'rm -rf' }, filestack: ok, imagekit: ok } }).success).toBe(false);
  });
});
