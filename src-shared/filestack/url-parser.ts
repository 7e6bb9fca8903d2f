/**
 * Parses the path of a Filestack processing URL (spec §7.1 "Parser requirements", §11 items 6–8)
 * for the local cloud. Tolerant of both SDK styles: Python's sorted, unquoted values (even with
 * commas or URLs inside) and JS's insertion order and quoting, `%22`-encoded quotes, security in
 * the short or long form anywhere in the chain, and b64 mode.
 */
import { base64DecodeText } from './base64.js';
import { isKnownTask } from './tasks.js';
import { decodePathTolerant, SLASH_PLACEHOLDER, splitTopLevel, unquote } from './tokens.js';
import type { SecurityPair, Source, TaskStep, TaskValue } from './types.js';

/** A parsed processing path. `sources` has several entries for a bracketed `[h1,h2]` source. */
export type ParsedProcessingPath =
  | {
      ok: true;
      apikey: string | null;
      steps: TaskStep[];
      security: SecurityPair | null;
      sources: Source[];
      /** The source was bracketed (multi-file tasks), even with one entry. */
      multiSource: boolean;
      /** `b64` when the chain or the source used b64 mode (spec §7.3). */
      encoding: 'plain' | 'b64';
    }
  | { ok: false; message: string };

/** Parser options. */
export type ParseOptions = {
  /** Decides whether the first segment is an apikey; defaults to {@link looksLikeApikey}. */
  readonly isApikey?: (segment: string) => boolean;
};

class ParseError extends Error {}
const fail = (message: string): never => {
  throw new ParseError(message);
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCHEME_ONLY = /^[A-Za-z][A-Za-z0-9+.-]*:$/; // `https:` before the empty segment of `//`
const PARAM_URL_START = /[=,][A-Za-z_][A-Za-z0-9_]*:"?[A-Za-z][A-Za-z0-9+.-]*:$/; // `...,watermark_url:https:`

/**
 * The apikey heuristic: the first segment, when it is not the source, has no `=`, is not a
 * catalogued task name, and is 16–64 letters/digits with at least one capital or digit
 * (Filestack keys are 22 mixed-case characters; task names are lower-case words).
 */
export function looksLikeApikey(segment: string): boolean {
  return !isKnownTask(segment) && /^[A-Za-z0-9]{16,64}$/.test(segment) && /[A-Z0-9]/.test(segment);
}

function parseValue(raw: string): TaskValue {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"') || raw.slice(1, -1).includes('"')) fail(`Badly quoted value: ${raw}`);
    return raw.slice(1, -1);
  }
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) fail(`Badly bracketed value: ${raw}`);
    const inner = raw.slice(1, -1);
    if (inner.trim() === '') return [];
    const items = splitTopLevel(inner, ',') ?? fail(`Unbalanced list: ${raw}`);
    return items.map(parseValue);
  }
  if (raw === 'true' || raw === 'false') return raw === 'true';
  // No leading zeros, so colours like 000000 stay text.
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/** `name`, `name=value` or `name=k:v,k:v` → a step. Python's unquoted commas are re-joined. */
export function parseTaskSegment(segment: string): TaskStep {
  const eq = segment.indexOf('='); // first `=` only: base64 padding adds more
  const name = eq < 0 ? segment : segment.slice(0, eq);
  if (!NAME.test(name)) fail(`Invalid task name "${name}".`);
  if (eq < 0) return { name };
  const pieces = splitTopLevel(segment.slice(eq + 1), ',') ?? fail(`Unbalanced quotes or brackets in task "${name}".`);
  const raw: [string, string][] = [];
  for (const piece of pieces) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(piece);
    const last = raw[raw.length - 1];
    if (m) raw.push([m[1] as string, m[2] as string]);
    // A piece with no `key:` continues the previous value (Python sends `targets:not dead,> 1%`).
    else if (last) last[1] += `,${piece}`;
    else if (pieces.length === 1 && piece !== '') {
      const value = parseValue(piece);
      if (Array.isArray(value)) fail(`Task "${name}" has a list where parameters were expected.`);
      return { name, value: value as string | number | boolean };
    } else fail(`Task "${name}" has a parameter without a key: "${piece}".`);
  }
  const params: Record<string, TaskValue> = {};
  for (const [k, v] of raw) params[k] = parseValue(v);
  return { name, params };
}

function parseOneSource(token: string): { sources: Source[]; multi: boolean; b64: boolean } {
  const t = unquote(token);
  if (t.startsWith('[')) {
    const inner = t.endsWith(']') ? splitTopLevel(t.slice(1, -1), ',') : null;
    if (inner === null || inner.length === 0 || inner.some((x) => x === '')) fail(`Badly formed multi-file source: ${t}`);
    return { sources: (inner as string[]).flatMap((x) => parseOneSource(x).sources), multi: true, b64: false };
  }
  if (t.startsWith('b64://')) {
    const decoded = base64DecodeText(t.slice(6)) ?? fail('The b64:// source is not valid base64 UTF-8.');
    if (decoded.startsWith('b64://')) fail('Nested b64:// sources are not allowed.');
    return { ...parseOneSource(decoded), b64: true };
  }
  const alias = /^src:\/\/([^/]+)\/(.+)$/s.exec(t);
  if (alias) return { sources: [{ kind: 'alias', alias: alias[1] as string, path: alias[2] as string }], multi: false, b64: false };
  if (t.startsWith('wf://') && t.length > 5) return { sources: [{ kind: 'workflow', path: t.slice(5) }], multi: false, b64: false };
  if (/^https?:\/\/[^\s"]+$/i.test(t)) return { sources: [{ kind: 'url', url: t }], multi: false, b64: false };
  if (/^[\w-]+$/.test(t)) return { sources: [{ kind: 'handle', handle: t }], multi: false, b64: false };
  return fail(`Unrecognised source "${t}".`);
}

const isTaskLike = (seg: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*=/.test(seg) || isKnownTask(seg);

/**
 * Re-joins segments that a raw `scheme://` split apart. A raw source URL runs to the end; a raw
 * URL inside a Python parameter runs until the next task-like segment or the final source.
 */
function joinRawUrls(segments: string[]): { chain: string[]; source: string } {
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (SCHEME_ONLY.test(seg) && segments[i + 1] === '') {
      return { chain: out, source: segments.slice(i).join('/') };
    }
    if (PARAM_URL_START.test(seg) && segments[i + 1] === '') {
      let joined = seg;
      let j = i + 1;
      for (; j < segments.length - 1; j++) {
        const next = segments[j] as string;
        if (j > i + 1 && (isTaskLike(next) || (SCHEME_ONLY.test(next) && segments[j + 1] === ''))) break;
        joined += `/${next}`;
      }
      out.push(joined);
      i = j - 1;
      continue;
    }
    out.push(seg);
  }
  const source = out.pop();
  if (source === undefined || source === '') return fail('The path has no source.');
  return { chain: out, source };
}

function stepsFromB64(text: string): TaskStep[] {
  const json = base64DecodeText(text) ?? fail('The b64 task chain is not valid base64 UTF-8.');
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return fail('The b64 task chain is not valid JSON.');
  }
  if (!Array.isArray(data)) return fail('The b64 task chain must be a JSON array.');
  return data.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) return fail('Each b64 task must be an object.');
    const o = item as Record<string, unknown>;
    const name = o.name ?? o.Name; // Go capitalises the keys (spec §7.3)
    const params = o.params ?? o.Params;
    if (typeof name !== 'string' || !NAME.test(name)) return fail('A b64 task has no valid name.');
    if (params === undefined || params === null) return { name };
    if (typeof params !== 'object' || Array.isArray(params)) return fail(`b64 task "${name}" has invalid params.`);
    for (const v of Object.values(params)) if (!isTaskValue(v)) fail(`b64 task "${name}" has a value of an unsupported type.`);
    return { name, params: params as Record<string, TaskValue> };
  });
}

function isTaskValue(v: unknown): v is TaskValue {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return Array.isArray(v) && v.every(isTaskValue);
}

function takeSecurity(steps: TaskStep[]): { steps: TaskStep[]; security: SecurityPair | null } {
  let security: SecurityPair | null = null;
  const rest: TaskStep[] = [];
  for (const step of steps) {
    if (step.name !== 'security') {
      rest.push(step);
      continue;
    }
    const p = step.params?.p ?? step.params?.policy;
    const s = step.params?.s ?? step.params?.signature;
    if (typeof p !== 'string' || (typeof s !== 'string' && typeof s !== 'number')) {
      fail('The security task needs a policy (p) and a signature (s).');
    }
    const pair = { policy: p as string, signature: String(s) };
    if (security && (security.policy !== pair.policy || security.signature !== pair.signature)) {
      fail('The URL carries two different security tasks.');
    }
    security = pair;
  }
  return { steps: rest, security };
}

/** Parses a processing path such as `/APIKEY/resize=width:100/security=p:..,s:../HANDLE`. */
export function parseProcessingPath(pathname: string, opts: ParseOptions = {}): ParsedProcessingPath {
  try {
    const decoded = decodePathTolerant(pathname.replace(/^\/+/, ''));
    const raw = splitTopLevel(decoded, '/') ?? fail('Unbalanced quotes or brackets in the path.');
    const segments = raw.map((s) => s.replaceAll(SLASH_PLACEHOLDER, '/'));
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
    const { chain, source } = joinRawUrls(segments);
    const isApikey = opts.isApikey ?? looksLikeApikey;
    const first = chain[0];
    const apikey = first !== undefined && !first.includes('=') && isApikey(first) ? first : null;
    let steps: TaskStep[] = [];
    let b64 = false;
    for (let i = apikey === null ? 0 : 1; i < chain.length; i++) {
      const seg = chain[i] as string;
      if (seg === 'b64' && i + 1 < chain.length) {
        steps.push(...stepsFromB64(chain[++i] as string));
        b64 = true;
      } else if (seg === '') fail('The path has an empty segment.');
      else steps.push(parseTaskSegment(seg));
    }
    const taken = takeSecurity(steps);
    steps = taken.steps;
    const src = parseOneSource(source);
    return { ok: true, apikey, steps, security: taken.security, sources: src.sources, multiSource: src.multi, encoding: b64 || src.b64 ? 'b64' : 'plain' };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, message: err.message };
    throw err;
  }
}
