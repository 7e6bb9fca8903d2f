import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MediaJob } from '../../src-shared/ipc/channels.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { createMediaNoticeTracker } from '../../src-main/hosts/media-notices.js';
import { trayPrefsOf } from '../../src-main/hosts/tray-prefs.js';
import { buildTrayMenu } from '../../src-main/hosts/tray-model.js';
import { deriveTrayState } from '../../src-main/hosts/tray-state.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** The tray reads the window's settings and watch folders; A/V conversions notify once when they end. */

let dir: string;
let app: FerryApp | null = null;
const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;

beforeEach(async () => {
  dir = await makeTempDir('ferry-tray-prefs-');
});
afterEach(async () => {
  await app?.close();
  app = null;
  if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
  await removeTempDir(dir);
});

describe('tray prefs follow the window', () => {
  it('link format, default destination and watching come from settings and watch folders', async () => {
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir], watchStabilityMs: 50 });
    await app.destinations.refresh();
    expect(trayPrefsOf(app)).toEqual({ defaultDestination: 'local', destinations: ['local'], linkFormat: 'url', watching: false });

    // A change made in the window (settings:set) is what the tray menu shows next.
    const set = await dispatch(app.handlers, 'settings:set', { linkFormat: 'markdown' });
    expect(set.ok).toBe(true);
    const folder = path.join(dir, 'watched');
    await mkdir(folder);
    const added = await dispatch(app.handlers, 'watch:add', { path: folder, destination: 'local' });
    expect(added.ok, JSON.stringify(added)).toBe(true);
    const prefs = trayPrefsOf(app);
    expect(prefs).toMatchObject({ linkFormat: 'markdown', watching: true });
    const menu = buildTrayMenu(deriveTrayState([], prefs));
    const formats = menu.find((i) => i.id === 'link-format');
    const checked = formats?.type === 'submenu' ? formats.items.filter((i) => i.type === 'radio' && i.checked).map((i) => i.id) : [];
    expect(checked).toEqual(['link-format:markdown']);
    expect(menu.find((i) => i.id === 'watching')).toMatchObject({ checked: true });

    // Filestack without keys is not offered as a destination, so the tray cannot switch to it.
    expect(prefs.destinations).toEqual(['local']);
  });
});

const job = (id: string, status: MediaJob['status'], extra: Partial<MediaJob> = {}): MediaJob => ({
  id,
  sourceJobId: `src-${id}`,
  sourceName: `${id}.mov`,
  preset: 'mp4',
  status,
  timeline: [],
  ...extra,
});

describe('A/V notices', () => {
  it('one notice per conversion that completes or fails; repeats and running jobs stay quiet', () => {
    const t = createMediaNoticeTracker();
    expect(t.update([job('a', 'pending'), job('b', 'pending')])).toEqual([]);
    expect(t.update([job('a', 'started'), job('b', 'started')])).toEqual([]);
    const done = t.update([job('a', 'completed', { url: 'http://x/a.mp4' }), job('b', 'started')]);
    expect(done).toEqual([{ kind: 'av-ready', title: 'a.mov converted (mp4)', body: 'http://x/a.mp4', jobId: 'a' }]);
    expect(t.update([job('a', 'completed', { url: 'http://x/a.mp4' }), job('b', 'started')])).toEqual([]);
    const failed = t.update([job('a', 'completed'), job('b', 'failed', { error: { code: 'server_error', message: 'ffmpeg exited 1', retryable: false } })]);
    expect(failed).toEqual([{ kind: 'av-failed', title: 'Converting b.mov failed', body: 'ffmpeg exited 1', jobId: 'b' }]);
    // A fast conversion first seen finished still notifies, once.
    expect(t.update([job('c', 'completed')])).toHaveLength(1);
    expect(t.update([job('c', 'completed')])).toHaveLength(0);
  });
});
