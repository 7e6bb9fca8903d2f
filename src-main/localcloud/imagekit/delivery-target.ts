/**
 * What a delivery request names: the transformation in the path, the stored file, and a video
 * suffix (`/ik-thumbnail.jpg`, `/ik-master.m3u8`, `/ik-hls/...`) after the file's own path.
 *
 * A `/tr:` segment normally ends at the next `/`, but a value may carry a `/` of its own (a raw
 * layer's text, an unencoded base64 `ie-`). So every split point is a candidate, tried left to
 * right: the first one that names a stored file wins; when none does, the first whose
 * transformation parses (so the 404 names the right path and `di-` can step in).
 */
import { parseTransformation } from '../../../src-shared/imagekit/transform-parser.js';
import { IkError } from './http.js';

/** A video sub-resource after the file path; `none` = the file itself. */
export type VideoSuffix =
  | { readonly kind: 'none' }
  | { readonly kind: 'thumbnail' }
  | { readonly kind: 'master' }
  /** A rendition playlist or segment of an HLS set: `ik-hls/<tx>/<name>`. */
  | { readonly kind: 'hls'; readonly tx: string; readonly name: string };

/** The resolved request target (both parts percent-decoded). */
export type DeliveryTarget = { readonly pathTx: string | null; readonly filePath: string; readonly suffix: VideoSuffix };

/** Split points tried at most; each costs one index lookup. */
const MAX_CANDIDATES = 32;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new IkError(400, `The ${what} in this URL is not validly percent-encoded.`);
  }
}

const NONE: VideoSuffix = { kind: 'none' };

/** `/a.mp4/ik-thumbnail.jpg` → `/a.mp4` + thumbnail; null when the path has no video suffix. */
export function splitVideoSuffix(filePath: string): { base: string; suffix: VideoSuffix } | null {
  const m = /^(\/.*[^/])\/(ik-thumbnail\.jpg|ik-master\.m3u8|ik-hls\/([^/]+)\/([A-Za-z0-9_.-]+))$/.exec(filePath);
  if (!m) return null;
  const base = m[1] ?? '';
  if (m[2] === 'ik-thumbnail.jpg') return { base, suffix: { kind: 'thumbnail' } };
  if (m[2] === 'ik-master.m3u8') return { base, suffix: { kind: 'master' } };
  return { base, suffix: { kind: 'hls', tx: m[3] ?? '', name: m[4] ?? '' } };
}

/** The ways one decoded path can be read: the file itself first, then with a video suffix. */
function readings(filePath: string): { filePath: string; suffix: VideoSuffix }[] {
  const out = [{ filePath, suffix: NONE }];
  const split = splitVideoSuffix(filePath);
  if (split) out.push({ filePath: split.base, suffix: split.suffix });
  return out;
}

/**
 * Resolves `rest` (the raw path after the endpoint, starting with `/`). `exists` says whether a
 * deliverable file is stored at a decoded path.
 */
export function resolveTarget(rest: string, exists: (filePath: string) => boolean): DeliveryTarget {
  const candidates: { pathTx: string | null; rawPath: string }[] = [];
  if (rest.startsWith('/tr:')) {
    const segments = rest.slice(1).split('/');
    for (let k = 1; k < segments.length && candidates.length < MAX_CANDIDATES; k++) {
      candidates.push({ pathTx: segments.slice(0, k).join('/').slice(3), rawPath: `/${segments.slice(k).join('/')}` });
    }
  }
  if (candidates.length === 0) candidates.push({ pathTx: null, rawPath: rest });

  const decoded = candidates.map((c) => ({
    pathTx: c.pathTx === null ? null : decode(c.pathTx, 'transformation'),
    options: readings(decode(c.rawPath, 'file path').replace(/\/{2,}/g, '/')),
  }));
  for (const c of decoded) {
    for (const r of c.options) if (exists(r.filePath)) return { pathTx: c.pathTx, ...r };
  }
  const parses = decoded.find((c) => c.pathTx === null || c.pathTx === '' || parseTransformation(c.pathTx).ok) ?? decoded[0];
  const last = parses?.options[parses.options.length - 1] ?? { filePath: '/', suffix: NONE };
  return { pathTx: parses?.pathTx ?? null, ...last };
}
