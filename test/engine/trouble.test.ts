import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { classifyFailure } from '../../src-main/engine/classify.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { httpRequest } from '../../src-main/net/http.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { Logger } from '../../src-main/engine/ports.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { freePort } from '../support/ports.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * A service that cannot be reached says so at once, on the running attempt, with the cause and
 * the time of the next try (issue 15: it used to read "Uploading 0 B" for ~90 s), and "Retry now"
 * skips the wait: once the server is there, the upload finishes right away.
 */

const APIKEY = 'FerryLocalCloudKey0001';
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let tmp: string;
let cloud: LocalCloud | null = null;

beforeAll(async () => {
  tmp = await makeTempDir('ferry-trouble-');
});
afterAll(async () => {
  await cloud?.close();
  await removeTempDir(tmp);
});

describe('an unreachable service', () => {
  it('names the cause on the running attempt with the next retry time, and Retry now goes at once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const engine = createEngine({
      // The provider's own backoff (default policy: seconds, growing to 30 s) is what used to hide the cause.
      providers: { local: createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: base, cdnBase: base, fileApiBase: base }) },
      store: createMemoryJobStore(),
      clock: { now: () => Date.now() },
      logger: quiet,
      defaultDestination: 'local',
    });
    try {
      const file = join(tmp, 'photo.bin');
      const bytes = await writeRandomFile(file, 300_000);
      const { jobIds } = await engine.addPaths([file]);
      const id = jobIds[0] ?? '';
      await expect.poll(() => engine.get(id)?.status, { timeout: 20_000 }).toMatchObject({ kind: 'uploading', trouble: { error: { code: 'network' } } });
      const status = engine.get(id)?.status;
      if (status?.kind !== 'uploading' || !status.trouble) throw new Error('no trouble');
      expect(status.trouble.error.message).toBe(`Can't reach 127.0.0.1:${port}: connection refused (ECONNREFUSED).`);
      expect(status.trouble.retryAt).toBeGreaterThan(Date.now() - 1000);
      expect(engine.get(id)?.attempts).toBe(1);

      // The service comes back; "Retry now" does not wait for the backoff.
      cloud = await startLocalCloud({ dataDir: join(tmp, 'cloud'), port, apps: [{ apikey: APIKEY }] });
      engine.retry(id);
      await expect.poll(() => engine.get(id)?.status.kind, { timeout: 20_000 }).toBe('done');
      const done = engine.get(id);
      if (done?.status.kind !== 'done') throw new Error('not done');
      expect(hashBytes(Buffer.from(await (await fetch(done.status.result.url)).arrayBuffer()))).toBe(hashBytes(bytes));
      // Retry now is not a failed try.
      expect(done.attempts).toBe(1);
    } finally {
      await engine.close();
    }
  });
});

describe('transport failures in words people use', () => {
  it('a name that does not resolve: no network / DNS, naming the host', async () => {
    const err = await httpRequest({ method: 'GET', url: 'http://ferry-no-such-host.invalid/x', timeoutMs: 20_000 }).then(
      () => null,
      (thrown: unknown) => toAppError(thrown),
    );
    expect(err).toMatchObject({ code: 'network', retryable: true });
    expect(err?.message).toMatch(/^Can't reach ferry-no-such-host\.invalid: no network \/ DNS \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\)\.$/);
  });

  it('a bare "fetch failed" from undici keeps its cause', async () => {
    const port = await freePort();
    const thrown = await fetch(`http://127.0.0.1:${port}/`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(classifyFailure(thrown)).toMatchObject({ code: 'network', message: expect.stringMatching(/^Can't reach 127\.0\.0\.1: connection refused/) });
  });
});
