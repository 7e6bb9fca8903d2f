import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WITH_KEYRING, cleanEnv, runFixture } from '../secrets/keyring-harness.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'destinations-keyring.ts');

describe('destinations from the real Secret Service', () => {
  it('a key saved through secrets:set configures `filestack`, uploads exact bytes, and secrets:delete unconfigures it', async () => {
    const run = await runFixture([WITH_KEYRING, process.execPath, '--import', 'tsx', FIXTURE], cleanEnv(), 60_000);
    expect(run.json).toEqual({ before: false, set: true, after: true, status: 'done', onRemote: true, same: true, del: true, gone: false });
  }, 70_000);
});
