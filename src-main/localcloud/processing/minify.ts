/**
 * Filestack `minify_css` (lightningcss) and `minify_js` (esbuild). `targets` is a browserslist
 * query as Filestack takes it (`> 1%`, `not dead`), resolved with browserslist and handed to
 * each minifier in its own form, so syntax newer than the targets is lowered, not kept.
 */
import browserslist from 'browserslist';
import { transform as esbuildTransform } from 'esbuild';
import { browserslistToTargets, transform as cssTransform } from 'lightningcss';
import { HttpError } from '../router.js';

/** Options of {@link minifyJs} (Filestack's flags; `mergeVars`/`removeUndefined` are part of esbuild's syntax minification). */
export type MinifyJsOptions = {
  readonly targets?: string;
  /** Shorten local names (default true). */
  readonly mangle?: boolean;
  /** Keep function and class `.name`s (keep_fn_name / keep_class_name). */
  readonly keepNames?: boolean;
  readonly removeConsole?: boolean;
};

function resolveTargets(query: string): string[] {
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
  const target = opts.targets !== undefined ? esbuildTargets(resolveTargets(opts.targets)) : undefined;
  try {
    const out = await esbuildTransform(source, {
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
export function minifyCss(source: string, opts: { targets?: string } = {}): string {
  const targets = opts.targets !== undefined ? browserslistToTargets(resolveTargets(opts.targets)) : undefined;
  try {
    const out = cssTransform({
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
