/**
 * Filestack `minify_css` (lightningcss) and `minify_js` (esbuild). `targets` is a browserslist
 * query as Filestack takes it (`> 1%`, `not dead`), resolved with browserslist and handed to
 * each minifier in its own form, so syntax newer than the targets is lowered, not kept.
 */
import type Browserslist from 'browserslist';
import type * as Esbuild from 'esbuild';
import type * as Lightningcss from 'lightningcss';
import { HttpError } from '../router.js';

// Loaded on first use: browserslist reads its browser data and lightningcss a native addon, which
// an app that never minifies should not pay for at start-up.
const loadBrowserslist = async (): Promise<typeof Browserslist> => (await import('browserslist')).default;
const loadEsbuild = (): Promise<typeof Esbuild> => import('esbuild');
const loadLightningcss = (): Promise<typeof Lightningcss> => import('lightningcss');

/** Options of {@link minifyJs} (Filestack's flags; `mergeVars`/`removeUndefined` are part of esbuild's syntax minification). */
export type MinifyJsOptions = {
  readonly targets?: string;
  /** Shorten local names (default true). */
  readonly mangle?: boolean;
  /** Keep function and class `.name`s (keep_fn_name / keep_class_name). */
  readonly keepNames?: boolean;
  readonly removeConsole?: boolean;
};

async function resolveTargets(query: string): Promise<string[]> {
  const browserslist = await loadBrowserslist();
  try {
    return browserslist(query);
  } catch (err) {
    throw new HttpError(400, 'bad_request', `targets: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** browserslist names → esbuild engine names (others have no esbuild engine and are skipped). */
const ESBUILD_ENGINES: Readonly<Record<string, string>> = {
  chrome: 'chrome',
  and_chr: 'chrome',
  edge: 'edge',
  firefox: 'firefox',
  and_ff: 'firefox',
  safari: 'safari',
  ios_saf: 'ios',
  opera: 'opera',
  ie: 'ie',
  node: 'node',
};

/** `['chrome 120', 'ios_saf 17.2-17.3']` → `['chrome120', 'ios17.2']` (lowest version of a range). */
export function esbuildTargets(browsers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const b of browsers) {
    const [name = '', version = ''] = b.split(' ');
    const engine = ESBUILD_ENGINES[name];
    const v = version.split('-')[0] ?? '';
    if (engine && /^\d+(\.\d+)*$/.test(v)) out.add(`${engine}${v}`);
  }
  return [...out];
}

/** Minified JavaScript; a syntax error is a 400 naming line and column. */
export async function minifyJs(source: string, opts: MinifyJsOptions = {}): Promise<string> {
  const target = opts.targets !== undefined ? esbuildTargets(await resolveTargets(opts.targets)) : undefined;
  const { transform } = await loadEsbuild();
  try {
    const out = await transform(source, {
      loader: 'js',
      minifyWhitespace: true,
      minifySyntax: true,
      minifyIdentifiers: opts.mangle ?? true,
      keepNames: opts.keepNames ?? false,
      ...(opts.removeConsole ? { drop: ['console' as const] } : {}),
      ...(target && target.length > 0 ? { target } : {}),
      logLevel: 'silent',
    });
    return out.code;
  } catch (err) {
    const first = (err as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const where = first?.location ? ` at line ${first.location.line}, column ${first.location.column + 1}` : '';
    throw new HttpError(400, 'bad_request', `minify_js: ${first?.text ?? (err instanceof Error ? err.message : String(err))}${where}.`);
  }
}

/**
 * Minified CSS. Filestack's `level` (1 or 2) has no counterpart in lightningcss, which always
 * applies its one safe minification; it is accepted and does not change the output.
 */
export async function minifyCss(source: string, opts: { targets?: string } = {}): Promise<string> {
  const { browserslistToTargets, transform } = await loadLightningcss();
  const targets = opts.targets !== undefined ? browserslistToTargets(await resolveTargets(opts.targets)) : undefined;
  try {
    const out = transform({
      filename: 'input.css',
      code: Buffer.from(source, 'utf8'),
      minify: true,
      ...(targets ? { targets } : {}),
      errorRecovery: false,
    });
    return Buffer.from(out.code).toString('utf8');
  } catch (err) {
    const e = err as { message?: string; loc?: { line: number; column: number } };
    const where = e.loc ? ` at line ${e.loc.line}, column ${e.loc.column}` : '';
    throw new HttpError(400, 'bad_request', `minify_css: ${e.message ?? String(err)}${where}.`);
  }
}
