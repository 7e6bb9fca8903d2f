/**
 * Builds Filestack processing URLs (spec §7.1) in the Python or JS serialization style (§7.2),
 * optionally in b64 mode (§7.3). Steps are validated against the task catalog first.
 */
import { appError, FerryError } from '../errors.js';
import { base64EncodeText } from './base64.js';
import { validateStep } from './tasks.js';
import type { SecurityPair, Source, TaskStep, TaskValue } from './types.js';
import { sourceNeedsApikey } from './types.js';

/**
 * `python`: params sorted, strings sent raw except store `path` (quoted), external URL source raw.
 * `js`: insertion order, strings containing `/` or `,` quoted, external URL source quoted.
 */
export type UrlStyle = 'python' | 'js';

/** Everything a processing URL is made of. */
export type BuildOptions = {
  /** `https://cdn.filestackcontent.com`, `https://process.filestackapi.com`, or a local cloud base. */
  readonly base: string;
  /** Included whenever given; required for external-URL and storage-alias sources. */
  readonly apikey?: string;
  readonly steps: readonly TaskStep[];
  /** One source, or a list which is always written bracketed (`[h1,h2]`). */
  readonly source: Source | readonly Source[];
  /** Written as the task `security=p:..,s:..` right before the source (or inside b64 JSON). */
  readonly security?: SecurityPair;
  /** Default `js`. */
  readonly style?: UrlStyle;
  /** `long` writes `security=policy:..,signature:..` (the JS SDK form). Default `short`. */
  readonly securityForm?: 'short' | 'long';
  /** `b64` writes the chain as `b64/<json>` and the source as `b64://..` (spec §7.3). */
  readonly encoding?: 'plain' | 'b64';
  /** Default true; false lets tests and the tolerant emulator build unknown tasks. */
  readonly validate?: boolean;
};

const badRequest = (message: string): FerryError => new FerryError(appError('bad_request', message));

function serializeString(text: string, style: UrlStyle, forceQuote: boolean): string {
  if (text.includes('"')) throw badRequest(`A processing value cannot contain a double quote: ${text}`);
  return forceQuote || (style === 'js' && /[/,]/.test(text)) ? `"${text}"` : text;
}

/** One parameter value in wire form. */
export function serializeValue(value: TaskValue, style: UrlStyle, forceQuote = false): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badRequest(`A processing value must be a finite number, got ${value}.`);
    return String(value);
  }
  if (typeof value === 'string') return serializeString(value, style, forceQuote);
  return `[${(value as readonly TaskValue[]).map((v) => serializeValue(v, style)).join(',')}]`;
}

/** One task segment: `name`, `name=value` or `name=k:v,k:v`. */
export function serializeStep(step: TaskStep, style: UrlStyle): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(step.name)) throw badRequest(`Invalid task name "${step.name}".`);
  if (step.value !== undefined) return `${step.name}=${serializeValue(step.value, style)}`;
  const entries = Object.entries(step.params ?? {}).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return step.name;
  // Python quotes only the store path (its SDK wraps it in "..." so folders survive the URL).
  const pairs = entries.map(([k, v]) => `${k}:${serializeValue(v, style, style === 'python' && step.name === 'store' && k === 'path')}`);
  if (style === 'python') pairs.sort();
  return `${step.name}=${pairs.join(',')}`;
}

/** One source in wire form (lists bracketed). */
export function serializeSource(source: Source | readonly Source[], style: UrlStyle): string {
  if (Array.isArray(source)) {
    const list = source as readonly Source[];
    if (list.length === 0) throw badRequest('A multi-file source needs at least one file.');
    return `[${list.map((s) => serializeSource(s, style)).join(',')}]`;
  }
  const one = source as Source;
  switch (one.kind) {
    case 'handle':
      if (!/^[\w-]+$/.test(one.handle)) throw badRequest(`Invalid file handle "${one.handle}".`);
      return one.handle;
    case 'alias':
      // JS quotes it like any other value containing `/`.
      return serializeString(`src://${one.alias}/${one.path.replace(/^\/+/, '')}`, style, false);
    case 'url':
      if (!/^https?:\/\/\S+$/.test(one.url)) throw badRequest(`External source must be an http(s) URL: ${one.url}`);
      return serializeString(one.url, style, style === 'js');
    case 'workflow':
      return `wf://${one.path}`;
  }
}

function securityStep(security: SecurityPair, form: 'short' | 'long'): TaskStep {
  const [p, s] = form === 'short' ? ['p', 's'] : ['policy', 'signature'];
  return { name: 'security', params: { [p]: security.policy, [s]: security.signature } };
}

/** Builds the complete processing URL; throws FerryError(bad_request) for invalid input. */
export function buildProcessingUrl(opts: BuildOptions): string {
  const style = opts.style ?? 'js';
  const sources: readonly Source[] = Array.isArray(opts.source) ? (opts.source as readonly Source[]) : [opts.source as Source];
  if (opts.apikey === undefined && sources.some(sourceNeedsApikey)) {
    throw badRequest('An apikey is required when the source is an external URL or a storage alias.');
  }
  if (opts.validate !== false) {
    for (const step of opts.steps) {
      const checked = validateStep(step);
      if (!checked.ok) throw badRequest(checked.message);
    }
  }
  const segments: string[] = [];
  if (opts.apikey !== undefined) {
    if (!/^[A-Za-z0-9_-]+$/.test(opts.apikey)) throw badRequest('The apikey has characters a URL segment cannot carry.');
    segments.push(opts.apikey);
  }
  // In b64 mode a single source is encoded bare (the JS SDK does not quote inside the base64);
  // a list keeps its wire form, quotes included.
  const sourceText = serializeSource(opts.source, opts.encoding === 'b64' && !Array.isArray(opts.source) ? 'python' : style);
  if (opts.encoding === 'b64') {
    if (opts.steps.some((s) => s.value !== undefined)) throw badRequest('b64 mode cannot carry bare task values.');
    const chain = [...opts.steps, ...(opts.security ? [securityStep(opts.security, 'long')] : [])];
    if (chain.length > 0) {
      const json = chain.map((s) => (s.params ? { name: s.name, params: s.params } : { name: s.name }));
      segments.push('b64', base64EncodeText(JSON.stringify(json), 'url'));
    }
    segments.push(`b64://${base64EncodeText(sourceText, 'url')}`);
  } else {
    for (const step of opts.steps) segments.push(serializeStep(step, style));
    if (opts.security) segments.push(serializeStep(securityStep(opts.security, opts.securityForm ?? 'short'), style));
    segments.push(sourceText);
  }
  return `${opts.base.replace(/\/+$/, '')}/${segments.join('/')}`;
}
