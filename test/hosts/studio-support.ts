import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import type { JobView } from '../../src-shared/model/job.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const run = promisify(execFile);

/** An app on a temp data dir whose path policy allows the dir's files. */
export async function startStudioApp(): Promise<{ app: FerryApp; dir: string; close: () => Promise<void> }> {
  const dir = await makeTempDir('ferry-studio-');
  const app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir] });
  return {
    app,
    dir,
    close: async () => {
      await app.close();
      await removeTempDir(dir);
    },
  };
}

/** A real width×height JPEG (a gradient, so it is not trivially compressible). */
export async function writeJpeg(file: string, width: number, height: number): Promise<void> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    const px = i / 3;
    raw[i] = px % width & 255;
    raw[i + 1] = Math.floor(px / width) & 255;
    raw[i + 2] = 128;
  }
  await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toFile(file);
}

/** A 1 s 160×120 test-pattern video made by ffmpeg. */
export async function writeTestVideo(file: string): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-pix_fmt', 'yuv420p', file]);
}

/** Uploads `file` through the engine and resolves with the done job. */
export async function uploadThroughEngine(app: FerryApp, file: string): Promise<JobView> {
  const { jobIds } = await app.engine.addPaths([file]);
  const id = jobIds[0];
  if (id === undefined) throw new Error(`not queued: ${file}`);
  for (let i = 0; i < 600; i++) {
    const job = app.engine.list().find((j) => j.id === id);
    if (job?.status.kind === 'done') return job;
    if (job?.status.kind === 'failed') throw new Error(`upload failed: ${JSON.stringify(job.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('upload did not finish');
}
