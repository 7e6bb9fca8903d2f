import { randomBytes } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { TEST_STABILITY_MS, until } from './support.js';

/**
 * A crash between the engine recording a watched file's upload as done and the watch folder
 * recording it in its ledger: on the next start the watch finds the file again and must adopt
 * the finished job (so its after-upload action runs) when the job sent these very bytes — the
 * local cloud verifies a multipart upload by its part ETags and reports no whole-file MD5, so the
 * job's own content key is what tells — and must upload anew when the bytes differ.
 */

const MIB = 1024 * 1024;
let base: string;
let dataDir: string;
let root: string;
const open: FerryApp[] = [];

beforeEach(async () => {
  base = await makeTempDir('ferry-adopt-');
  dataDir = path.join(base, 'data');
  root = path.join(base, 'watched');
  await mkdir(root, { recursive: true });
});
afterEach(async () => {
  for (const app of open.splice(0)) await app.close();
  await removeTempDir(base);
});

async function launch(): Promise<FerryApp> {
  const app = await createApp({ dataDir, host: 'electron', allowedRoots: [base], watchStabilityMs: TEST_STABILITY_MS });
  open.push(app);
  return app;
}

async function close(app: FerryApp): Promise<void> {
  open.splice(open.indexOf(app), 1);
  await app.close();
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/**
 * Launch 1: a watched folder that deletes files once uploaded; the engine uploads `sent` under
 * the remote path the watch gives `big.bin` and records it done, but the watch never hears of it
 * (stopped: the crash). Then `onDisk` is what the file holds when Ferry starts again.
 */
async function crashAfterUpload(sent: Buffer, onDisk: Buffer): Promise<{ jobId: string; file: string }> {
  const first = await launch();
  const folder = await first.watch.add({ path: root, afterUpload: { kind: 'delete' } });
  await first.watch.stop();
  const file = path.join(root, 'big.bin');
  await writeFile(file, sent);
  const added = await first.engine.addStaged([{ path: file, relativePath: 'watched/big.bin', name: 'big.bin' }], 'local', { watchFolderId: folder.id });
  const jobId = added.jobIds[0] ?? '';
  await first.engine.whenIdle();
  const job = first.engine.get(jobId);
  expect(job?.status.kind).toBe('done');
  // A multipart upload verified by its parts: the result names no whole-file MD5, only the key.
  if (job?.status.kind === 'done') {
    expect(job.status.result.md5).toBeUndefined();
    expect(job.status.result.contentKey).toMatch(/^[0-9a-f]{64}$/);
  }
  await close(first);
  await writeFile(file, onDisk);
  return { jobId, file };
}

describe('watch: adopting a job finished just before a crash', () => {
  it('the same bytes: the finished job is adopted, nothing is queued again, and the after-upload action runs', async () => {
    const bytes = randomBytes(13 * MIB + 7);
    const { jobId, file } = await crashAfterUpload(bytes, bytes);
    const second = await launch();
    await until(async () => !(await exists(file)));
    await second.watch.whenIdle();
    await second.engine.whenIdle();
    const jobs = second.engine.list();
    expect(jobs.map((j) => [j.id, j.status.kind])).toEqual([[jobId, 'done']]);
    const folderId = second.watch.list()[0]?.id ?? '';
    expect(second.watch.ledger().byPath(folderId, file)?.jobId).toBe(jobId);
  });

  it('other bytes of the same size: not adopted, uploaded anew (then deleted)', async () => {
    const sent = randomBytes(13 * MIB);
    const now = randomBytes(13 * MIB);
    const { jobId, file } = await crashAfterUpload(sent, now);
    const second = await launch();
    await until(async () => !(await exists(file)));
    await second.watch.whenIdle();
    await second.engine.whenIdle();
    const fresh = second.engine.list().filter((j) => j.id !== jobId);
    expect(fresh).toHaveLength(1);
    const job = fresh[0];
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind !== 'done') return;
    const stored = Buffer.from(await (await fetch(job.status.result.url)).arrayBuffer());
    expect(stored.equals(now)).toBe(true);
  });
});
