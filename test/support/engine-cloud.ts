/**
 * The rig of the engine tests that upload for real: one local cloud over loopback in a temp
 * folder for the file, and every engine a test made closed after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Engine } from '../../src-main/engine/types.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';

export type EngineCloud = { cloud: LocalCloud; tmp: string; readonly engines: Engine[] };

/** Registers the hooks; the fields are set once `beforeAll` has run. */
export function useEngineCloud(prefix: string): EngineCloud {
  const rig = { cloud: undefined as unknown as LocalCloud, tmp: '', engines: [] as Engine[] };
  beforeAll(async () => {
    rig.tmp = await mkdtemp(join(tmpdir(), prefix));
    rig.cloud = await startLocalCloud({ dataDir: join(rig.tmp, 'cloud'), port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await Promise.all(rig.engines.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    await rig.cloud.close();
    await rm(rig.tmp, { recursive: true, force: true });
  });
  return rig;
}
