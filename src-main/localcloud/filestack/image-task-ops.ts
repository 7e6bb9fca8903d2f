/**
 * The Filestack image tasks that need another file, a layout or a smart strategy, as ImageOps of
 * the shared renderer (watermark → overlay, collage, smart_crop → smartCrop, upscale), and the
 * two that answer something other than an image (ascii, smart_crop with coords), which run on
 * the rendered image. Parameters: spec §7.4, catalogue src-shared/filestack/tasks.ts. Defaults
 * where the spec is silent (UNCONFIRMED there): watermark 100 % at the centre; collage margin 10
 * on white, fit auto; smart_crop pads with white; ascii 100 columns, black on white.
 */
import type { TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { contentTag } from '../storage.js';
import { asciiArt } from '../processing/ascii.js';
import type { FixedGravity, ImageOp } from '../processing/ops.js';
import { smartCropArea } from '../processing/smart-crop.js';
import { HttpError } from '../router.js';
import { boolOf, filestackColor, gravityOf, numOf } from './process-tasks.js';

/** Tasks mapped to ops here. */
export const COMPOSITING_TASKS: ReadonlySet<string> = new Set(['watermark', 'collage', 'smart_crop', 'upscale']);
/** Tasks that end a chain with a non-image answer. */
export const TERMINAL_TASKS: ReadonlySet<string> = new Set(['ascii']);

/** What the tasks may use: the cloud (to read other stored files) and the app they run for. */
export type TaskEnv = { readonly ctx: CloudContext; readonly apikey: string | null; readonly maxPixels: number };

/** A non-image ending: runs on the image the chain rendered so far. */
export type Terminal = (input: Buffer | string) => Promise<{ data: Buffer; mimetype: string }>;

type Params = Readonly<Record<string, TaskValue>>;

/**
 * A file another task names (`watermark=file:H`, `collage=files:[...]`): only stored files of
 * the same app, since a URL could otherwise read any other app's files.
 */
async function storedRef(env: TaskEnv, task: string, ref: TaskValue | undefined): Promise<{ path: string; key: string }> {
  if (typeof ref !== 'string' || !/^[\w-]+$/.test(ref)) throw new HttpError(400, 'bad_request', `Task "${task}": the local cloud takes stored file handles here, not ${JSON.stringify(ref)}.`);
  const file = await env.ctx.storage.get(ref);
  if (!file || (env.apikey !== null && file.apikey !== env.apikey)) throw new HttpError(404, 'not_found', `Task "${task}": no file with handle ${JSON.stringify(ref)}.`);
  return { path: env.ctx.storage.blobPath(file.handle), key: `${file.handle}:${contentTag(file)}` };
}

export function fixedGravity(v: TaskValue | undefined): FixedGravity {
  const g = gravityOf(v);
  return g === 'attention' || g === 'entropy' ? 'center' : g;
}

function need(task: string, p: Params, ...keys: string[]): void {
  const missing = keys.filter((k) => p[k] === undefined);
  if (missing.length > 0) throw new HttpError(400, 'bad_request', `Task "${task}" needs ${missing.join(' and ')}.`);
}

const wantsCoords = (p: Params): boolean => boolOf(p.coords) === true;

/** True when the step ends the chain with a non-image answer. */
export function isTerminal(name: string, p: Params): boolean {
  return TERMINAL_TASKS.has(name) || (name === 'smart_crop' && wantsCoords(p));
}

/** The op of one compositing task (parameters already validated against the catalogue). */
export async function compositingOp(name: string, p: Params, env: TaskEnv): Promise<ImageOp> {
  switch (name) {
    case 'watermark': {
      need(name, p, 'file');
      const file = await storedRef(env, name, p.file);
      return { op: 'overlay', file: file.path, fileKey: file.key, sizePercent: numOf(p.size, 100), position: fixedGravity(p.position) };
    }
    case 'collage': {
      need(name, p, 'files', 'width', 'height');
      const files = await Promise.all((Array.isArray(p.files) ? p.files : [p.files]).map((f) => storedRef(env, name, f)));
      return { op: 'collage', files, width: numOf(p.width, 1), height: numOf(p.height, 1), margin: numOf(p.margin, 10), color: filestackColor(p.color) ?? '#ffffff', fit: p.fit === 'crop' ? 'crop' : 'auto', autorotate: boolOf(p.autorotate) === true };
    }
    case 'smart_crop':
      need(name, p, 'width', 'height');
      return { op: 'smartCrop', width: numOf(p.width, 1), height: numOf(p.height, 1), fill: filestackColor(p.fill_color) ?? '#ffffff' };
    case 'upscale': {
      const median = { low: 3, medium: 5, high: 7 }[String(p.noise)] ?? 0;
      return { op: 'upscale', factor: boolOf(p.upscale) === false ? 1 : 2, median };
    }
    default:
      throw new HttpError(400, 'bad_request', `Task "${name}" is not supported by the local cloud.`);
  }
}

/** The runner of a terminal task. */
export function terminalTask(name: string, p: Params, env: TaskEnv): Terminal {
  if (name === 'smart_crop') {
    need(name, p, 'width', 'height');
    return async (input) => ({ data: Buffer.from(JSON.stringify(await smartCropArea(input, { width: numOf(p.width, 1), height: numOf(p.height, 1) }, env.maxPixels))), mimetype: 'application/json; charset=utf-8' });
  }
  return async (input) => {
    const opts = { columns: numOf(p.size, 100), foreground: filestackColor(p.foreground) ?? '#000000', background: filestackColor(p.background) ?? '#ffffff', colored: boolOf(p.colored) === true, reverse: boolOf(p.reverse) === true, maxPixels: env.maxPixels };
    return { data: Buffer.from(await asciiArt(input, opts), 'utf8'), mimetype: 'text/html; charset=utf-8' };
  };
}
