/**
 * Video delivery (spec §4.5 video keys): a `tr` on a video transcodes it with ffmpeg (`w`, `h`,
 * `c`, `f-mp4|webm`, `vc`, `ac`, `so`/`eo`/`du`, `q`); `<file>/ik-thumbnail.jpg` is one frame
 * (at `so`, default 0) through the image pipeline; `<file>/ik-master.m3u8?tr=sr-240_360_480` is an
 * HLS set with one rendition per height, its playlists and segments under `<file>/ik-hls/<tx>/`.
 * Outputs live in the bounded media cache (one ffmpeg per output, a concurrency cap, aborted when
 * every asking client hung up). When the master was requested with a signed URL (a private
 * file), the playlists hand out signed URLs with the same expiry.
 */
import { readFile, stat, mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { base64DecodeText, base64EncodeText } from '../../../src-shared/filestack/base64.js';
import { parseTransformation, stringifyTransformation, type TxStep } from '../../../src-shared/imagekit/transform-parser.js';
import { encodeUrlPath } from '../../../src-shared/imagekit/url-encode.js';
import { toVideoPlan, videoPlanKey, type VideoPlan } from '../../../src-shared/imagekit/video-ops.js';
import { signUrl } from '../../protocol/imagekit/signing.js';
import type { CloudContext } from '../context.js';
import { FfmpegError, runFfmpeg } from '../ffmpeg.js';
import { sendFileRange } from '../http-range.js';
import type { ImageOp } from '../processing/ops.js';
import { frameArgs, hlsArgs, renditionHeights, transcodeArgs, type SourceFacts } from '../processing/video-args.js';
import type { ResolvedAccount } from './account.js';
import type { VideoSuffix } from './delivery-target.js';
import { IkError } from './http.js';
import { planTransformation } from './render-adapter.js';
import type { ImageKitRuntime } from './routes-types.js';
import type { VersionRecord } from './store.js';

/** One video request, after the delivery handler resolved, authorised and versioned it. */
export type VideoRequest = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: CloudContext;
  readonly runtime: ImageKitRuntime;
  readonly account: ResolvedAccount;
  readonly filePath: string;
  readonly version: VersionRecord;
  readonly blob: string;
  readonly tx: string;
  readonly suffix: VideoSuffix;
  /** The request's `ik-t` when it was signed (`Infinity` for a signed URL that never expires), else null. */
  readonly signedUntil: number | null;
  readonly cacheControl: string;
};

const MIME: Readonly<Record<string, string>> = { mp4: 'video/mp4', webm: 'video/webm', m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
const TIME_KEYS = new Set(['so', 'eo', 'du']);

function steps(tx: string): TxStep[] {
  if (tx === '') return [];
  const parsed = parseTransformation(tx);
  if (!parsed.ok) throw new IkError(400, `Invalid transformation: ${parsed.message}`);
  return parsed.steps;
}

function planOf(s: readonly TxStep[]): VideoPlan {
  const r = toVideoPlan(s);
  if (!r.ok) throw new IkError(400, `Invalid transformation: ${r.message}`);
  if (r.unsupported.length > 0) {
    throw new IkError(400, `Unsupported video transformation parameter(s) on the local cloud: ${r.unsupported.join(', ')}.`, { unsupported: r.unsupported });
  }
  return r.plan;
}

/** Typed failures of the media work → ImageKit answers; ffmpeg's own words go to the log only (they name server paths). */
function answerFor(err: unknown, ctx: CloudContext): unknown {
  if (err instanceof FfmpegError) {
    if (err.kind === 'missing') return new IkError(501, `Video delivery needs ffmpeg on the machine running the local cloud: ${err.message}`);
    if (err.kind === 'failed') {
      ctx.log?.('error', `ImageKit video: ${err.message}`);
      return new IkError(400, 'The video could not be processed with these transformations (ffmpeg failed; the local cloud log has the details).');
    }
  }
  // Anything else (a busy media cache's rate_limited with its Retry-After) is answered by ikHandler.
  return err;
}

/** Aborts when the client goes away before the answer was written. */
function clientSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Runs ffmpeg through the media cache: the output's path once it exists. */
async function cached(r: VideoRequest, key: string, ext: string, args: (out: string) => string[], folder = false): Promise<string> {
  const media = await r.runtime.media(r.ctx);
  const binary = r.runtime.options.video?.ffmpegPath;
  return media.get(
    `${r.version.handle}|${key}`,
    ext,
    async (out, signal) => {
      if (folder) await mkdir(out, { recursive: true });
      await runFfmpeg(args(out), { signal, ...(binary !== undefined ? { binary } : {}) });
    },
    clientSignal(r.res),
  );
}

const source = (v: VersionRecord): SourceFacts => ({ width: v.width, height: v.height, hasAudio: v.audioCodec !== undefined });

const wantsOriginal = (s: readonly TxStep[]): boolean => s.some((step) => step.some((i) => i.kind === 'param' && i.key === 'orig' && i.value !== 'false'));

async function transcode(r: VideoRequest, s: readonly TxStep[]): Promise<void> {
  if (wantsOriginal(s)) {
    await sendFileRange(r.req, r.res, r.blob, r.version.size, { 'Content-Type': r.version.mime, 'Cache-Control': r.cacheControl, ETag: `"${r.version.versionId}"` });
    return;
  }
  const plan = planOf(s);
  if (plan.streamingResolutions) throw new IkError(400, 'sr- asks for adaptive streaming: request <file>/ik-master.m3u8 with it.');
  if (r.version.duration !== undefined && (plan.startOffset ?? 0) > r.version.duration) throw new IkError(400, `The start offset is after the end of the video (${r.version.duration} s).`);
  const out = await cached(r, `video|${videoPlanKey(plan)}`, `.${plan.format}`, (o) => transcodeArgs(plan, source(r.version), r.blob, o));
  const size = (await stat(out)).size;
  await sendFileRange(r.req, r.res, out, size, { 'Content-Type': MIME[plan.format] ?? 'application/octet-stream', 'Cache-Control': r.cacheControl });
}

async function thumbnail(r: VideoRequest, s: readonly TxStep[]): Promise<void> {
  // The time keys pick the frame; everything else is an image transformation of that frame.
  let at = 0;
  const imageSteps: TxStep[] = [];
  for (const step of s) {
    const rest = step.filter((i) => {
      if (i.kind !== 'param' || !TIME_KEYS.has(i.key)) return true;
      if (i.key === 'so') at = Number(i.value);
      return false;
    });
    if (rest.length > 0) imageSteps.push(rest);
  }
  if (!Number.isFinite(at) || at < 0) throw new IkError(400, 'Invalid value for so: use seconds, e.g. so-2.5.');
  if (r.version.duration !== undefined && at > r.version.duration) throw new IkError(400, `The frame time is after the end of the video (${r.version.duration} s).`);
  const frame = await cached(r, `frame|${at}`, '.png', (o) => frameArgs(at, r.blob, o));
  const imageTx = stringifyTransformation(imageSteps);
  const planned = imageTx === '' ? { ops: [] as ImageOp[] } : planTransformation(imageTx);
  const ops: ImageOp[] = planned.ops.some((o) => o.op === 'format') ? planned.ops : [...planned.ops, { op: 'format', format: 'jpeg' }];
  const img = await r.runtime.cache.render(`${r.version.handle}#frame@${at}`, frame, ops, { scratchDir: r.ctx.storage.tmpDir });
  r.res.writeHead(200, { 'Content-Type': img.mimetype, 'Content-Length': img.data.length, 'Cache-Control': r.cacheControl, 'X-Image-Size': `${img.width}x${img.height}` });
  r.res.end(r.req.method === 'HEAD' ? undefined : img.data);
}

/** The HLS set of `tx` (made on first use, or again after the cache let it go). */
async function hlsSet(r: VideoRequest, tx: string): Promise<string> {
  const plan = planOf(steps(tx));
  const wanted = plan.streamingResolutions;
  if (!wanted) throw new IkError(400, 'ik-master.m3u8 needs the renditions to make, e.g. ?tr=sr-240_360_480.');
  const heights = renditionHeights(wanted, r.version.height);
  return cached(r, `hls|${videoPlanKey(plan)}|${heights.join('_')}`, '', (dir) => hlsArgs(plan, heights, source(r.version), r.blob, dir), true);
}

/** Rewrites each URI line of a playlist. */
const rewrite = (text: string, uri: (line: string) => string): string =>
  text
    .split('\n')
    .map((line) => (line.trim() === '' || line.startsWith('#') ? line : uri(line.trim())))
    .join('\n');

/** A URI of the HLS set: relative (`ik-hls/<tx>/name`), or absolute and signed when the request was. */
function hlsUri(r: VideoRequest, txToken: string, name: string, fromMaster: boolean): string {
  if (r.signedUntil === null) return fromMaster ? `ik-hls/${txToken}/${name}` : name;
  const endpoint = `${r.ctx.baseUrl}${r.account.urlEndpointPath}`;
  const url = `${endpoint}${encodeUrlPath(r.filePath)}/ik-hls/${txToken}/${name}`;
  // signUrl counts the expiry from `now`: now = 0 and a lifetime of ik-t keep the master's ik-t.
  const lifetime = Number.isFinite(r.signedUntil) ? r.signedUntil : 0;
  return signUrl(url, { urlEndpoint: endpoint, privateKey: r.account.privateKey, expiresInSeconds: lifetime, now: 0 });
}

function sendPlaylist(r: VideoRequest, text: string): void {
  const body = Buffer.from(text, 'utf8');
  r.res.writeHead(200, { 'Content-Type': MIME.m3u8 ?? '', 'Content-Length': body.length, 'Cache-Control': r.cacheControl });
  r.res.end(r.req.method === 'HEAD' ? undefined : body);
}

async function master(r: VideoRequest): Promise<void> {
  const dir = await hlsSet(r, r.tx);
  const token = base64EncodeText(r.tx, 'url').replace(/=+$/, '');
  sendPlaylist(r, rewrite(await readFile(path.join(dir, 'master.m3u8'), 'utf8'), (uri) => hlsUri(r, token, uri, true)));
}

async function hlsPart(r: VideoRequest, token: string, name: string): Promise<void> {
  const tx = base64DecodeText(token);
  const ext = /\.(m3u8|ts)$/.exec(name)?.[1];
  if (tx === null || ext === undefined || name.includes('..')) throw new IkError(404, `No file found with filePath ${r.filePath}/ik-hls/${token}/${name}`);
  const file = path.join(await hlsSet(r, tx), name);
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) throw new IkError(404, `No file found with filePath ${r.filePath}/ik-hls/${token}/${name}`);
  if (ext === 'm3u8') sendPlaylist(r, rewrite(await readFile(file, 'utf8'), (uri) => hlsUri(r, token, uri, false)));
  else await sendFileRange(r.req, r.res, file, st.size, { 'Content-Type': MIME.ts ?? '', 'Cache-Control': r.cacheControl });
}

/** Answers a video request (the file has a video stream); errors are typed ImageKit answers. */
export async function deliverVideo(r: VideoRequest): Promise<void> {
  try {
    switch (r.suffix.kind) {
      case 'none':
        return await transcode(r, steps(r.tx));
      case 'thumbnail':
        return await thumbnail(r, steps(r.tx));
      case 'master':
        return await master(r);
      case 'hls':
        return await hlsPart(r, r.suffix.tx, r.suffix.name);
    }
  } catch (err) {
    throw answerFor(err, r.ctx);
  }
}
