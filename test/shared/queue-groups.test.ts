import { describe, expect, it } from 'vitest';
import { countJobs, groupQueue, summaryParts } from '../../src-renderer/lib/queue-groups.js';
import { linkTextOf, thumbnailOf } from '../../src-shared/job-links.js';
import type { JobStatus, JobView } from '../../src-shared/model/job.js';

const done: JobStatus = { kind: 'done', verifiedAt: 1, result: { url: 'http://x/1', remoteId: '1', size: 1, mimetype: 'image/png', filename: 'a' } };
const dup: JobStatus = { kind: 'duplicate', existing: { url: 'http://x/0', remoteId: '0', finishedAt: 1 } };
const failed: JobStatus = { kind: 'failed', error: { code: 'network', message: 'x', retryable: true } };

function job(id: string, status: JobStatus, batchId: string | undefined, createdAt: number, name = `${id}.png`): JobView {
  return { id, name, relativePath: null, size: 1, destination: 'local', status, bytesSent: 0, attempts: 1, createdAt, updatedAt: createdAt, speedBps: 0, etaSeconds: null, ...(batchId ? { batchId } : {}) };
}

describe('queue counters', () => {
  it('count what the user asked for: four already-uploaded files are not "0 of 4 done"', () => {
    const c = countJobs(['a', 'b', 'c', 'd'].map((id) => job(id, dup, 'b1', 1)));
    expect(c).toMatchObject({ total: 4, done: 0, already: 4, left: 0 });
    expect(summaryParts(c).map((p) => p.text)).toEqual(['4 already there']);
  });

  it('a duplicate among nine is "already there", not "not done"', () => {
    const jobs = [...Array.from({ length: 8 }, (_, i) => job(`d${i}`, done, 'b1', 1)), job('x', dup, 'b1', 1)];
    expect(summaryParts(countJobs(jobs)).map((p) => p.text)).toEqual(['8 done', '1 already there']);
    expect(summaryParts(countJobs(jobs), true).map((p) => p.text)).toEqual(['9 files', '8 done', '1 already there']);
  });

  it('counts failed, canceled and left (paused counts as left, not active)', () => {
    const c = countJobs([job('f', failed, 'b', 1), job('c', { kind: 'canceled' }, 'b', 1), job('p', { kind: 'paused', reason: 'user' }, 'b', 1), job('u', { kind: 'uploading' }, 'b', 1)]);
    expect(c).toMatchObject({ failed: 1, canceled: 1, left: 2, active: 1, paused: 1 });
  });
});

describe('groupQueue', () => {
  it('puts the newest batch on top, files by path inside, with a summary and a link count', () => {
    const items = groupQueue([
      job('a10', done, 'old', 1, 'row-10.txt'),
      job('a2', failed, 'old', 2, 'row-2.txt'),
      job('n1', dup, 'new', 5),
      job('legacy', done, undefined, 3),
    ]);
    expect(items.map((i) => (i.kind === 'batch' ? `[${i.batch.id} ${i.batch.links}]` : i.job.name))).toEqual([
      '[new 1]',
      'n1.png',
      '[job-legacy 1]',
      'legacy.png',
      '[old 1]',
      'row-2.txt',
      'row-10.txt',
    ]);
  });
});

describe('formatBytesOf', () => {
  it('writes the unit once when both sides share it', async () => {
    const { formatBytesOf } = await import('../../src-renderer/lib/format.js');
    expect(formatBytesOf(12.2 * 1024 * 1024, 24 * 1024 * 1024)).toBe('12.2 / 24.0 MB');
    expect(formatBytesOf(900 * 1024, 1.2 * 1024 * 1024)).toBe('900.0 KB / 1.2 MB');
    expect(formatBytesOf(10, 20)).toBe('10 B / 20 B');
  });
});

describe('thumbnailOf', () => {
  it("an image already uploaded shows the earlier upload's thumbnail; other kinds and SVG get none", () => {
    const cdn: JobStatus = { kind: 'duplicate', existing: { url: 'http://127.0.0.1:1/abcDEF123', remoteId: 'abcDEF123', finishedAt: 1 } };
    expect(thumbnailOf(job('p', cdn, 'b', 1, 'photo.JPG'))).toBe('http://127.0.0.1:1/resize=width:96,height:96,fit:crop/abcDEF123');
    expect(thumbnailOf(job('t', cdn, 'b', 1, 'notes.txt'))).toBeNull();
    expect(thumbnailOf(job('s', cdn, 'b', 1, 'logo.svg'))).toBeNull();
    expect(thumbnailOf(job('d', { ...done, result: { ...done.result, url: 'http://127.0.0.1:1/h1' } }, 'b', 1))).toBe('http://127.0.0.1:1/resize=width:96,height:96,fit:crop/h1');
    expect(thumbnailOf(job('u', { kind: 'uploading' }, 'b', 1))).toBeNull();
  });
});

// Edges `npm run mutate` found unpinned: the name pattern's anchors and spellings, and a finished
// job judged by its stored type rather than its name.
describe('thumbnailOf and linkTextOf edges', () => {
  const cdn: JobStatus = { kind: 'duplicate', existing: { url: 'http://127.0.0.1:1/h0', remoteId: 'h0', finishedAt: 1 } };
  const thumb = 'http://127.0.0.1:1/resize=width:96,height:96,fit:crop/h0';
  it('the name decides for an earlier upload: whole extensions only, .tif and .tiff both', () => {
    expect(thumbnailOf(job('a', cdn, 'b', 1, 'scan.tif'))).toBe(thumb);
    expect(thumbnailOf(job('b', cdn, 'b', 1, 'scan.tiff'))).toBe(thumb);
    expect(thumbnailOf(job('c', cdn, 'b', 1, 'photo.png.txt'))).toBeNull();
    expect(thumbnailOf(job('d', cdn, 'b', 1, 'logo.svg.png'))).toBe(thumb);
  });
  it('a finished job is judged by its stored type: an SVG named without .svg gets none', () => {
    const svg: JobStatus = { ...done, result: { ...done.result, url: 'http://127.0.0.1:1/h2', mimetype: 'image/svg+xml' } } as JobStatus;
    expect(thumbnailOf(job('e', svg, 'b', 1, 'logo'))).toBeNull();
  });
  it('linkTextOf embeds images and links other files, and has nothing for unfinished jobs', () => {
    expect(linkTextOf(job('f', done, 'b', 1, 'a.png'), 'markdown')).toBe('![a.png](http://x/1)');
    expect(linkTextOf(job('g', { ...done, result: { ...done.result, mimetype: 'text/plain' } } as JobStatus, 'b', 1, 'a.txt'), 'html')).toBe('<a href="http://x/1">a.txt</a>');
    expect(linkTextOf(job('h', failed, 'b', 1), 'url')).toBeNull();
  });
});
