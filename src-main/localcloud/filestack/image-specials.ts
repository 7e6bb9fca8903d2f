/**
 * The Filestack image tasks that need more than one sharp pipeline (another file, a layout, a
 * smart strategy, a non-image answer): their parameters (spec §7.4, catalogue in
 * src-shared/filestack/tasks.ts) turned into calls of the processing/ functions.
 * Defaults where the spec is silent (UNCONFIRMED there): watermark size 100 % at the centre;
 * collage margin 10 on white, fit auto; smart_crop fills with white; ascii 100 columns, black
 * on white.
 */
import type { TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { asciiArt } from '../processing/ascii.js';
import { collage } from '../processing/collage.js';
import { smartCrop } from '../processing/smart-crop.js';
import { upscale } from '../processing/upscale.js';
import { watermark } from '../processing/watermark.js';
import type { Gravity } from '../processing/ops.js';
import { HttpError } from '../router.js';
import { boolOf, filestackColor, gravityOf, numOf } from './process-tasks.js';

/** Names of the tasks this module runs. */
export const SPECIAL_IMAGE_TASKS: ReadonlySet<string> = new Set(['watermark', 'collage', 'smart_crop', 'upscale', 'ascii']);

/** What the tasks may use: the cloud (to read other stored files) and the app they run for. */
export type SpecialEnv = { readonly ctx: CloudContext; readonly apikey: string | null; readonly maxPixels: number };

/** One task, ready to run on the image so far. */
export type SpecialRun = (input: Buffer | string) => Promise<{ data: Buffer; mimetype: string; image: boolean }>;

type Params = Readonly<Record<string, TaskValue>>;

const png = (data: Buffer): { data: Buffer; mimetype: string; image: boolean } => ({ data, mimetype: 'image/png', image: true });

/**
 * The blob path of a file another task names (`watermark=file:H`, `collage=files:[...]`). Only
 * stored files of the same app: a URL could otherwise read any other app's files.
 */
async function storedRef(env: SpecialEnv, task: string, ref: TaskValue | undefined): Promise<string> {
  if (typeof ref !== 'string' || !/^[\w-]+$/.test(ref)) throw new HttpError(400, 'bad_request', `Task "${task}": the local cloud takes stored file handles here, not ${JSON.stringify(ref)}.`);
  const file = await env.ctx.storage.get(ref);
  if (!file || (env.apikey !== null && file.apikey !== env.apikey)) throw new HttpError(404, 'not_found', `Task "${task}": no file with handle ${JSON.stringify(ref)}.`);
  return env.ctx.storage.blobPath(file.handle);
}

function fixedGravity(v: TaskValue | undefined): Exclude<Gravity, 'attention' | 'entropy'> {
  const g = gravityOf(v);
  return g === 'attention' || g === 'entropy' ? 'center' : g;
}

function need(task: string, p: Params, ...keys: string[]): void {
  const missing = keys.filter((k) => p[k] === undefined);
  if (missing.length > 0) throw new HttpError(400, 'bad_request', `Task "${task}" needs ${missing.join(' and ')}.`);
}

/** Builds the runner of one task (parameters already validated against the catalogue). */
export function specialTask(name: string, p: Params, env: SpecialEnv): SpecialRun {
  const maxPixels = env.maxPixels;
  switch (name) {
    case 'watermark':
      need(name, p, 'file');
      return async (input) => png(await watermark(input, await storedRef(env, name, p.file), { sizePercent: numOf(p.size, 100), position: fixedGravity(p.position), maxPixels }));
    case 'collage': {
      need(name, p, 'files', 'width', 'height');
      const files = Array.isArray(p.files) ? p.files : [p.files];
      return async (input) => {
        const others = await Promise.all(files.map((f) => storedRef(env, name, f)));
        const fit = p.fit === 'crop' ? 'crop' : 'auto';
        const opts = { width: numOf(p.width, 1), height: numOf(p.height, 1), margin: numOf(p.margin, 10), color: filestackColor(p.color) ?? '#ffffff', fit, autorotate: boolOf(p.autorotate) === true, maxPixels } as const;
        return png(await collage([input, ...others], opts));
      };
    }
    case 'smart_crop': {
      need(name, p, 'width', 'height');
      const opts = { width: numOf(p.width, 1), height: numOf(p.height, 1), fill: filestackColor(p.fill_color) ?? '#ffffff', maxPixels };
      return async (input) => {
        const cut = await smartCrop(input, opts);
        if (boolOf(p.coords) !== true) return png(cut.data);
        return { data: Buffer.from(JSON.stringify(cut.area)), mimetype: 'application/json; charset=utf-8', image: false };
      };
    }
    case 'upscale': {
      const noise = p.noise === 'low' || p.noise === 'medium' || p.noise === 'high' ? p.noise : 'none';
      return async (input) => png(await upscale(input, { enlarge: boolOf(p.upscale) !== false, noise, maxPixels }));
    }
    case 'ascii':
      return async (input) => {
        const opts = { columns: numOf(p.size, 100), foreground: filestackColor(p.foreground) ?? '#000000', background: filestackColor(p.background) ?? '#ffffff', colored: boolOf(p.colored) === true, reverse: boolOf(p.reverse) === true, maxPixels };
        return { data: Buffer.from(await asciiArt(input, opts), 'utf8'), mimetype: 'text/html; charset=utf-8', image: false };
      };
    default:
      throw new HttpError(400, 'bad_request', `Task "${name}" is not supported by the local cloud.`);
  }
}
