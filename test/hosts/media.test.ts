import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src-shared/errors.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import type { MediaJob, ResponseOf } from '../../src-shared/ipc/channels.js';
import type { FerryApp } from '../../src-main/hosts/compose.js';
import { conversionParams } from '../../src-main/hosts/media/service.js';
import { startStudioApp, uploadThroughEngine, writeTestVideo } from './studio-support.js';

let app: FerryApp;
let close: () => Promise<void>;
let dir: string;
let videoJobId: string;
const pushed: MediaJob[] = [];

beforeAll(async () => {
  const started = await startStudioApp();
  ({ app, close, dir } = started);
  app.on('media:updated', ({ jobs }) => pushed.push(...jobs));
  const file = path.join(dir, 'clip.mp4');
  await writeTestVideo(file);
  const job = await uploadThroughEngine(app, file);
  videoJobId = job.id;
}, 30_000);
afterAll(async () => close?.());

const convert = (payload: unknown) => dispatch(app.handlers, 'media:convert', payload) as Promise<Result<ResponseOf<'media:convert'>>>;

async function waitFinished(id: string): Promise<MediaJob> {
  for (let i = 0; i < 600; i++) {
    const job = pushed.findLast((j) => j.id === id);
    if (job && (job.status === 'completed' || job.status === 'failed')) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('conversion did not finish');
}

describe('media:convert', () => {
  it('converts a real 1 s video to webm: timeline reaches completed and the link serves video/webm', async () => {
    const started = await convert({ jobId: videoJobId, preset: 'webm', width: 80, audioBitrate: 64 });
    if (!started.ok) throw new Error(started.error.message);
    const done = await waitFinished(started.value.mediaJobId);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('completed');
    expect(done.sourceName).toBe('clip.mp4');
    const steps = done.timeline.map((t) => t.status);
    expect(steps[0]).toBe('uploaded');
    expect(steps[1]).toBe('pending');
    expect(steps.at(-1)).toBe('completed');
    // Times never go backwards.
    for (let i = 1; i < done.timeline.length; i++) expect(done.timeline[i]!.at).toBeGreaterThanOrEqual(done.timeline[i - 1]!.at);
    const res = await fetch(done.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('video/webm');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(0);
    // WebM (Matroska) files start with the EBML magic.
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3');

    const listed = await dispatch(app.handlers, 'media:list', {});
    if (!listed.ok) throw new Error(listed.error.message);
    const jobs = (listed.value as ResponseOf<'media:list'>).jobs;
    expect(jobs.find((j) => j.id === done.id)).toEqual(done);
  }, 30_000);

  it('refuses files that are not audio or video, unknown jobs and bad parameters', async () => {
    const text = path.join(dir, 'notes.txt');
    await writeFile(text, 'hello');
    const textJob = await uploadThroughEngine(app, text);
    const refused = await convert({ jobId: textJob.id, preset: 'webm' });
    expect(!refused.ok && refused.error.code).toBe('bad_request');
    const unknown = await convert({ jobId: 'missing', preset: 'mp4' });
    expect(!unknown.ok && unknown.error.code).toBe('not_found');
    const badPreset = await convert({ jobId: videoJobId, preset: 'hls.variant' });
    expect(!badPreset.ok && badPreset.error.code).toBe('bad_request');
    const badRate = await convert({ jobId: videoJobId, preset: 'mp3', audioBitrate: 5000 });
    expect(!badRate.ok && badRate.error.code).toBe('bad_request');
  });

  it('maps requests onto video_convert parameters (no video bitrate for audio presets)', () => {
    expect(conversionParams({ jobId: 'a', preset: 'webm', width: 320, height: 240, videoBitrate: 800, audioBitrate: 96 })).toEqual({
      preset: 'webm',
      width: 320,
      height: 240,
      video_bitrate: 800,
      audio_bitrate: 96,
    });
    expect(conversionParams({ jobId: 'a', preset: 'mp3', videoBitrate: 800 })).toEqual({ preset: 'mp3' });
  });
});
