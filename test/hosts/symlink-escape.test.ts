import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { OUTSIDE_ROOTS } from '../../src-main/engine/expand-paths.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';

/**
 * Issue 13 hole 2: a folder inside the allowed roots that holds links to files and folders
 * outside them. Before the fix the walk followed the links and uploaded the outside bytes.
 */
describe('symlinks inside an allowed folder (issue 13, hole 2)', () => {
  let dir: string;
  let app: FerryApp;
  let allowed: string;
  let dropped: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-symlink-'));
    allowed = path.join(dir, 'allowed');
    dropped = path.join(allowed, 'drop');
    const outside = path.join(dir, 'outside');
    await mkdir(path.join(dropped, 'sub'), { recursive: true });
    await mkdir(path.join(outside, 'keys'), { recursive: true });
    await writeFile(path.join(outside, 'secret.txt'), 'top secret');
    await writeFile(path.join(outside, 'keys', 'id_ed25519'), 'private key');
    await writeFile(path.join(dropped, 'ok.txt'), 'fine');
    await writeFile(path.join(allowed, 'sibling.txt'), 'also fine');
    await symlink(path.join(outside, 'secret.txt'), path.join(dropped, 'file-out.txt'));
    await symlink(path.join(outside, 'keys'), path.join(dropped, 'sub', 'dir-out'));
    // A link that stays inside the allowed roots is an ordinary alias and still uploads.
    await symlink(path.join(allowed, 'sibling.txt'), path.join(dropped, 'alias-in.txt'));
    app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [allowed] });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses every file and folder whose real path is outside, reports them skipped and logs them', async () => {
    const result = await dispatch(app.handlers, 'jobs:add-paths', { paths: [dropped] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value as { jobIds: string[]; skipped: { path: string; reason: string }[] };
    expect(value.skipped).toEqual(
      expect.arrayContaining([
        { path: path.join(dropped, 'file-out.txt'), reason: OUTSIDE_ROOTS },
        { path: path.join(dropped, 'sub', 'dir-out'), reason: OUTSIDE_ROOTS },
      ]),
    );
    await app.engine.whenIdle();
    const names = app.engine.list().map((j) => j.relativePath).sort();
    expect(names).toEqual(['drop/alias-in.txt', 'drop/ok.txt']);
    expect(app.engine.list().every((j) => j.status.kind === 'done')).toBe(true);
    const logFile = path.join(dir, 'data', 'logs', 'ferry.log');
    let log = '';
    for (let i = 0; i < 100 && !log.includes(path.join(dropped, 'file-out.txt')); i++) {
      await new Promise((r) => setTimeout(r, 20));
      log = await readFile(logFile, 'utf8');
    }
    expect(log).toContain('refused a path outside the allowed folders');
    expect(log).toContain(path.join(dropped, 'file-out.txt'));
  });

  it('the user (trusted handlers: CLI, second launch) still reads links as given', async () => {
    const result = await dispatch(app.trustedHandlers, 'jobs:add-paths', { paths: [path.join(dropped, 'file-out.txt')] });
    expect(result.ok).toBe(true);
    if (result.ok) expect((result.value as { jobIds: string[] }).jobIds).toHaveLength(1);
  });
});
