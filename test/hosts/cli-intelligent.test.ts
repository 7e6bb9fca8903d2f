import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { bundleCli, jsonLines, runCliChild } from './cli-bundle.js';

/** `ferry upload --intelligent` to a server that does not grant intelligent ingestion says so. */

let tmp: string;
let cloud: LocalCloud;
let bundle: { file: string; remove: () => Promise<void> };

beforeAll(async () => {
  tmp = await makeTempDir('ferry-cli-fii-');
  [cloud, bundle] = await Promise.all([startLocalCloud({ dataDir: path.join(tmp, 'cloud') }), bundleCli()]);
}, 60_000);
afterAll(async () => {
  await cloud?.close();
  await bundle?.remove();
  await removeTempDir(tmp);
});

describe('ferry upload --intelligent', () => {
  it('to a local cloud without FII: uploads regularly and says why', async () => {
    const file = path.join(tmp, 'big.bin');
    await writeFile(file, randomBytes(9 * 1024 * 1024));
    const run = await runCliChild(bundle.file, ['upload', file, '--intelligent', '--json', '--data', path.join(tmp, 'data'), '--local-cloud', cloud.baseUrl]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ state: 'done' });
    expect(run.stderr).toContain('does not grant intelligent ingestion');
  });
});
