import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { FaultLogEntry } from '../support/fault-proxy.js';
import { startRig, type Rig } from '../reliability/rig.js';
import { dropFiles, openPage, sha256File, sha256Url, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * Pause, resume and cancel of a real upload, judged at the cloud: the app talks to a local cloud
 * through a logging proxy (every URL the cloud hands out points at the proxy too), so the test
 * sees each part request and its bytes. A 1 MiB/s bandwidth limit keeps a 12 MiB file in flight
 * long enough to click. "Nothing more was sent" is checked only after a second file went all the
 * way through the same link meanwhile: the positive signal that the paused or canceled upload had
 * every chance to send and did not.
 */

const MIB = 1024 * 1024;
let rig: Rig;
let cloudDir: string;
let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

/** Part PUTs (`/s3/<uploadId>/<part>`) in the proxy's log from index `from` on. */
function partPuts(from = 0): FaultLogEntry[] {
  return rig.proxy.log.slice(from).filter((e) => e.method === 'PUT' && e.url.includes('/s3/'));
}
const uploadIdOf = (entry: FaultLogEntry): string => entry.url.split('/s3/')[1]!.split('/')[0]!;

/**
 * What `uploadId` sent to the cloud after `from`: parts begun since, and parts that were still
 * unanswered at `from` (in `open`) and then were answered, i.e. that kept sending to the end.
 */
function sentAfter(uploadId: string, from: number, open: ReadonlySet<number>): FaultLogEntry[] {
  return partPuts().filter((e) => uploadIdOf(e) === uploadId && (e.n >= from || (open.has(e.n) && e.status !== null)));
}
const unanswered = (): Set<number> => new Set(partPuts().filter((e) => e.status === null).map((e) => e.n));

/** Waits until some part of an upload has reached the cloud with `bytes` or more; returns its upload id. */
async function uploadInFlight(from: number, bytes: number): Promise<string> {
  await expect.poll(() => partPuts(from).some((e) => e.requestBytes >= bytes), { timeout: 60_000 }).toBe(true);
  return uploadIdOf(partPuts(from).find((e) => e.requestBytes >= bytes)!);
}

test.beforeAll(async ({ browser }) => {
  cloudDir = await mkdtemp(path.join(tmpdir(), 'ferry-e2e-cloud-'));
  rig = await startRig(cloudDir);
  host = await startHost({ localCloudUrl: rig.proxy.url });
  host.app.settings.set({ bandwidthLimit: MIB, fileConcurrency: 2 });
  await writeRandomFile(path.join(host.workDir, 'paused.bin'), 12 * MIB);
  await writeRandomFile(path.join(host.workDir, 'canceled.bin'), 12 * MIB);
  // Over one 8 MiB part, so they go up multipart too (a one-part file is a single store request).
  await writeRandomFile(path.join(host.workDir, 'meanwhile-1.bin'), 9 * MIB);
  await writeRandomFile(path.join(host.workDir, 'meanwhile-2.bin'), 9 * MIB);
  ({ context, page, problems } = await openPage(browser, host));
  await page.goto(host.url);
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
  await rig?.close();
  await rm(cloudDir, { recursive: true, force: true });
});

test('pause stops the bytes at the cloud; resume sends again and the file arrives whole', async () => {
  test.setTimeout(180_000);
  const file = path.join(host.workDir, 'paused.bin');
  const start = rig.proxy.log.length;
  await dropFiles(page, [file]);
  const row = page.getByTestId('job-row').filter({ hasText: 'paused.bin' });
  const uploadId = await uploadInFlight(start, 256 * 1024);
  await expect(row).toHaveAttribute('data-state', 'uploading');

  await row.getByRole('button', { name: 'Pause paused.bin' }).click();
  await expect(row).toHaveAttribute('data-state', 'paused');
  const pausedAt = rig.proxy.log.length;
  const open = unanswered();

  // Another file crosses the same throttled link while this one is paused...
  await dropFiles(page, [path.join(host.workDir, 'meanwhile-1.bin')]);
  await expect(page.getByTestId('job-row').filter({ hasText: 'meanwhile-1.bin' })).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // ...long enough (9 MiB at 1 MiB/s) for the parts in flight at the pause to have finished had
  // they kept going; the paused upload neither finished those nor began new ones.
  expect(sentAfter(uploadId, pausedAt, open)).toEqual([]);
  await expect(row).toHaveAttribute('data-state', 'paused');

  // Resume is what sends again: new part requests reach the cloud after the click.
  const resumedAt = rig.proxy.log.length;
  await row.getByRole('button', { name: 'Resume paused.bin' }).click();
  await expect.poll(() => partPuts(resumedAt).length, { timeout: 60_000 }).toBeGreaterThan(0);
  host.app.settings.set({ bandwidthLimit: 0 });
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const got = await sha256Url((await row.getByTestId('job-link').getAttribute('href'))!);
  expect(got.sha256).toBe(await sha256File(file));
  // Verified from the complete answer's MD5 and size (verifyFromComplete): no metadata call was
  // needed for either upload so far (the link fetch above is a plain GET of the file).
  expect(rig.proxy.log.filter((e) => e.url.includes('/metadata'))).toEqual([]);
  expect(rig.proxy.log.filter((e) => e.url.startsWith('/multipart/complete') && e.status === 200).length).toBeGreaterThanOrEqual(2);
  expect(await problems()).toEqual([]);
});

test('cancel stops the upload: no more parts, no link; Retry sends it again', async () => {
  test.setTimeout(180_000);
  await page.getByTestId('clear-finished').click();
  host.app.settings.set({ bandwidthLimit: MIB });
  const start = rig.proxy.log.length;
  await dropFiles(page, [path.join(host.workDir, 'canceled.bin')]);
  const row = page.getByTestId('job-row').filter({ hasText: 'canceled.bin' });
  const uploadId = await uploadInFlight(start, 256 * 1024);

  await row.getByRole('button', { name: 'Cancel canceled.bin' }).click();
  await expect(row).toHaveAttribute('data-state', 'canceled');
  const canceledAt = rig.proxy.log.length;
  const open = unanswered();

  await dropFiles(page, [path.join(host.workDir, 'meanwhile-2.bin')]);
  await expect(page.getByTestId('job-row').filter({ hasText: 'meanwhile-2.bin' })).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  expect(sentAfter(uploadId, canceledAt, open)).toEqual([]);
  await expect(row).toHaveAttribute('data-state', 'canceled');
  await expect(row.getByTestId('job-link')).toHaveCount(0);

  // Retry on the canceled row starts over: parts reach the cloud again and the file arrives whole.
  host.app.settings.set({ bandwidthLimit: 0 });
  const retriedAt = rig.proxy.log.length;
  await row.getByRole('button', { name: 'Retry canceled.bin' }).click();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  expect(partPuts(retriedAt).length).toBeGreaterThan(0);
  const got = await sha256Url((await row.getByTestId('job-link').getAttribute('href'))!);
  expect(got.sha256).toBe(await sha256File(path.join(host.workDir, 'canceled.bin')));
  expect(await problems()).toEqual([]);
});
