/**
 * Real media for the ImageKit video tests: tiny clips generated with ffmpeg, ffprobe on delivered
 * bytes, and an ffmpeg wrapper that logs each run (to count runs, see overlaps, find the process).
 */
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A `seconds`-long clip: moving test pattern, plus a 440 Hz tone when `audio`. */
export async function makeClip(file: string, opts: { width: number; height: number; seconds: number; audio: boolean; codec?: 'h264' | 'vp9' }): Promise<Buffer> {
  const video = ['-f', 'lavfi', '-i', `testsrc=size=${opts.width}x${opts.height}:rate=25:duration=${opts.seconds}`];
  const audio = opts.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${opts.seconds}`] : [];
  const codec = opts.codec === 'vp9' ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', ...video, ...audio, ...codec, ...(opts.audio ? ['-c:a', 'aac', '-shortest'] : []), '-y', file]);
  return readFile(file);
}

/** One stream as ffprobe reports it. */
export type ProbedStream = { codec_type: string; codec_name: string; width?: number; height?: number };
/** ffprobe's view of some bytes. */
export type Probed = { streams: ProbedStream[]; format: { format_name: string; duration: string } };

/** Runs ffprobe on bytes (written to `dir`). */
export async function ffprobe(dir: string, bytes: Buffer, name = `probe-${Math.random().toString(36).slice(2)}`): Promise<Probed> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as Probed;
}

export const videoStream = (p: Probed): ProbedStream | undefined => p.streams.find((s) => s.codec_type === 'video');
export const audioStream = (p: Probed): ProbedStream | undefined => p.streams.find((s) => s.codec_type === 'audio');

/**
 * Writes an executable wrapper around ffmpeg that appends `start <pid>` to `log`, waits while the
 * file `hold` exists (so a test can catch a run in progress), runs ffmpeg and appends `end <pid>`.
 * The wrapper is the process the local cloud spawns and kills.
 */
export async function countingFfmpeg(dir: string, log: string, hold: string): Promise<string> {
  const file = path.join(dir, 'ffmpeg-wrapper.sh');
  const script = [
    '#!/bin/sh',
    `echo "start $$" >> '${log}'`,
    `while [ -f '${hold}' ]; do sleep 0.05; done`,
    'ffmpeg "$@"',
    'code=$?',
    `echo "end $$" >> '${log}'`,
    'exit $code',
  ].join('\n');
  await writeFile(file, `${script}\n`);
  await chmod(file, 0o755);
  return file;
}

/** The wrapper's log as events in order. */
export async function ffmpegRuns(log: string): Promise<{ kind: 'start' | 'end'; pid: number }[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return [...text.matchAll(/(start|end) (\d+)/g)].map((m) => ({ kind: m[1] as 'start' | 'end', pid: Number(m[2]) }));
}
