import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { createPathPolicy } from '../../src-main/hosts/path-policy.js';
import { errorOf } from '../support/errors.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let tmp: string;
let home: string;
let savedHome: string | undefined;
let savedRoots: string | undefined;

beforeEach(async () => {
  tmp = await makeTempDir('ferry-policy-');
  // A stand-in HOME with a private key, where os.homedir() looks for it.
  home = path.join(tmp, 'home');
  await mkdir(path.join(home, '.ssh'), { recursive: true });
  await writeFile(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
  await mkdir(path.join(home, 'Pictures', 'trip'), { recursive: true });
  await writeFile(path.join(home, 'Pictures', 'trip', 'a.jpg'), 'a');
  await writeFile(path.join(home, 'Pictures', 'trip', 'b.jpg'), 'b');
  await writeFile(path.join(home, 'Pictures', 'other.jpg'), 'o');
  savedHome = process.env.HOME;
  savedRoots = process.env.FERRY_ALLOWED_ROOTS;
  process.env.HOME = home;
  delete process.env.FERRY_ALLOWED_ROOTS;
});
afterEach(async () => {
  if (savedHome === undefined) delete process.env.HOME;
  else process.env.HOME = savedHome;
  if (savedRoots !== undefined) process.env.FERRY_ALLOWED_ROOTS = savedRoots;
  await removeTempDir(tmp);
});

describe('path policy (pure)', () => {
  it('allows what was granted and nothing beside it', async () => {
    const policy = createPathPolicy({ explicit: [] });
    const a = path.join(home, 'Pictures', 'trip', 'a.jpg');
    const b = path.join(home, 'Pictures', 'trip', 'b.jpg');
    expect((await errorOf(policy.assertAllowed([a]))).code).toBe('forbidden');
    // Not awaited: a check right after a grant (IPC order) still sees it.
    void policy.grant([a]);
    await policy.assertAllowed([a]);
    expect((await errorOf(policy.assertAllowed([a, b]))).code).toBe('forbidden');
    await policy.grant([path.join(home, 'Pictures', 'trip')]);
    await policy.assertAllowed([a, b, path.join(home, 'Pictures', 'trip')]);
    expect((await errorOf(policy.assertAllowed([path.join(home, 'Pictures', 'other.jpg')]))).code).toBe('forbidden');
  });

  it('judges real paths: a link inside a granted folder does not reach outside it, nor does a name prefix', async () => {
    const trip = path.join(home, 'Pictures', 'trip');
    await symlink(path.join(home, '.ssh', 'id_ed25519'), path.join(trip, 'key.jpg'));
    await mkdir(path.join(home, 'Pictures', 'trip-2'));
    const policy = createPathPolicy({ explicit: [] });
    await policy.grant([trip]);
    expect((await errorOf(policy.assertAllowed([path.join(trip, 'key.jpg')]))).code).toBe('forbidden');
    expect((await errorOf(policy.assertAllowed([path.join(home, 'Pictures', 'trip-2')]))).code).toBe('forbidden');
    expect((await errorOf(policy.assertAllowed([path.join(trip, '..', '.ssh', 'id_ed25519')]))).code).toBe('forbidden');
    expect((await errorOf(policy.assertAllowed(['relative/a.jpg']))).code).toBe('bad_request');
  });

  it('counts explicit roots and watched folders, read at every check', async () => {
    const watched: string[] = [];
    const policy = createPathPolicy({ explicit: [path.join(home, 'Pictures', 'trip')], watched: () => watched });
    await policy.assertAllowed([path.join(home, 'Pictures', 'trip', 'a.jpg')]);
    const other = path.join(home, 'Pictures', 'other.jpg');
    expect((await errorOf(policy.assertAllowed([other]))).code).toBe('forbidden');
    watched.push(path.join(home, 'Pictures'));
    await policy.assertAllowed([other]);
  });
});

// Issue 13 hole 5: the Electron host no longer lets the renderer read all of HOME.
describe('Electron host path policy', () => {
  let app: FerryApp | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });
  const addPaths = (paths: string[]) => dispatch(app!.handlers, 'jobs:add-paths', { paths });

  it('refuses ~/.ssh/… unless the user chose it', async () => {
    app = await createApp({ dataDir: path.join(tmp, 'data'), host: 'electron' });
    const key = path.join(home, '.ssh', 'id_ed25519');
    const refused = await addPaths([key]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(app.engine.list()).toHaveLength(0);
    // Other files under HOME are not readable just for being there.
    expect(await addPaths([path.join(home, 'Pictures', 'other.jpg')])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The user drops it (the preload grants the real path of the dropped File): now it may go.
    await app.paths.grant([key]);
    expect(await addPaths([key])).toMatchObject({ ok: true, value: { jobIds: [expect.any(String)] } });
  });

  it('grants what the user picks in the native dialog, and only that', async () => {
    const trip = path.join(home, 'Pictures', 'trip');
    const asked: unknown[] = [];
    app = await createApp({
      dataDir: path.join(tmp, 'data'),
      host: 'electron',
      choosePaths: async (req) => (asked.push(req), [trip]),
    });
    expect(app.info.capabilities.nativeDialogs).toBe(true);
    const picked = await dispatch(app.handlers, 'dialog:choose', { kind: 'folder' });
    expect(picked).toEqual({ ok: true, value: { paths: [trip] } });
    expect(asked).toEqual([{ kind: 'folder' }]);
    expect(await addPaths([trip])).toMatchObject({ ok: true });
    expect(await addPaths([path.join(home, '.ssh', 'id_ed25519')])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('keeps a watched folder readable in the next session', async () => {
    const dataDir = path.join(tmp, 'data');
    const trip = path.join(home, 'Pictures', 'trip');
    app = await createApp({ dataDir, host: 'electron', choosePaths: async () => [trip] });
    // Typed, not picked: refused.
    expect(await dispatch(app.handlers, 'watch:add', { path: trip, enabled: false })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await dispatch(app.handlers, 'dialog:choose', { kind: 'folder' });
    expect(await dispatch(app.handlers, 'watch:add', { path: trip, enabled: false })).toMatchObject({ ok: true });
    await app.close();
    app = await createApp({ dataDir, host: 'electron' });
    expect(await addPaths([path.join(trip, 'a.jpg')])).toMatchObject({ ok: true });
    expect(await addPaths([path.join(home, 'Pictures', 'other.jpg')])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('watches a typed folder only after the person says yes in a native dialog', async () => {
    const trip = path.join(home, 'Pictures', 'trip');
    const ssh = path.join(home, '.ssh');
    const asked: { paths: readonly string[]; purpose: string }[] = [];
    // The person allows the folder they typed and refuses the one a compromised page typed.
    const confirmPaths = async (paths: readonly string[], purpose: string) => (asked.push({ paths, purpose }), paths[0] === trip);
    app = await createApp({ dataDir: path.join(tmp, 'data'), host: 'electron', confirmPaths });
    expect(await dispatch(app.handlers, 'watch:add', { path: ssh, enabled: false })).toMatchObject({ ok: false, error: { code: 'aborted' } });
    expect(await addPaths([path.join(ssh, 'id_ed25519')])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatch(app.handlers, 'watch:add', { path: trip, enabled: false })).toMatchObject({ ok: true });
    expect(asked.map((a) => a.paths)).toEqual([[ssh], [trip]]);
    expect(asked[0]?.purpose).toMatch(/watch/);
    // Granted by the yes: its files may be queued, the folder beside it still may not.
    expect(await addPaths([path.join(trip, 'a.jpg')])).toMatchObject({ ok: true });
    expect(await addPaths([path.join(home, 'Pictures', 'other.jpg')])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(asked).toHaveLength(2);
  });

  it('answers dialog:choose with `unsupported` where there is no native dialog (browser mode)', async () => {
    app = await createApp({ dataDir: path.join(tmp, 'data'), host: 'web' });
    expect(app.info.capabilities.nativeDialogs).toBe(false);
    expect(await dispatch(app.handlers, 'dialog:choose', { kind: 'files' })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});
