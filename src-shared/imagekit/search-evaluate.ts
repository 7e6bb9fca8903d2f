/**
 * Evaluates a parsed `searchQuery` (see search-query.ts) against one file, folder or version.
 * Used by the local cloud's `GET /v1/files`.
 */
import type { CompareOp, SearchNode, SearchValue } from './search-query.js';

/** What a query can look at. Dates are ISO 8601 strings or Unix ms. */
export type SearchableFile = {
  readonly name: string;
  readonly size?: number | null;
  readonly createdAt: string | number;
  readonly updatedAt: string | number;
  /** Lower-case extension-like format, e.g. `jpg`. */
  readonly format?: string | null;
  /** User tags plus AI tag names (ImageKit's `tags` field matches both). */
  readonly tags?: readonly string[] | null;
  readonly type: 'file' | 'folder' | 'file-version';
  readonly width?: number | null;
  readonly height?: number | null;
  /** `/folder/name.jpg` for files, the folder's own path (`/a/b`) for folders. */
  readonly filePath: string;
  readonly customMetadata?: Readonly<Record<string, unknown>> | null;
};

const DAY_MS = 86_400_000;

/** Ensures `/x/` form so `path` compares folder paths without slash mistakes. */
const asFolder = (p: string): string => `/${p.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');

/** Parent folder of a path: `/a/b.jpg` → `/a/`. */
const parentOf = (p: string): string => asFolder(p.replace(/\/+$/, '').replace(/[^/]*$/, ''));

function compareNumbers(actual: number, op: CompareOp, expected: number): boolean {
  switch (op) {
    case '=':
      return actual === expected;
    case '>':
      return actual > expected;
    case '<':
      return actual < expected;
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
    default:
      return false;
  }
}

function compareDate(actualRaw: string | number, op: CompareOp, value: SearchValue, now: number): boolean {
  const actual = typeof actualRaw === 'number' ? actualRaw : Date.parse(actualRaw);
  if (Number.isNaN(actual)) return false;
  const at = value.kind === 'ago' ? now - value.ms : value.kind === 'date' ? value.ms : NaN;
  // A date without a time (or a relative day) means the whole UTC day for `=`.
  const wholeDay = op === '=' && (value.kind === 'ago' || (value.kind === 'date' && value.dayOnly));
  if (wholeDay) return Math.floor(actual / DAY_MS) === Math.floor(at / DAY_MS);
  return compareNumbers(actual, op, at);
}

function compareString(actual: string, op: CompareOp, expected: string): boolean {
  if (op === '=') return actual === expected;
  if (op === ':') return actual.startsWith(expected);
  return false;
}

const literalText = (v: SearchValue): string => (v.kind === 'string' ? v.value : v.kind === 'number' ? String(v.value) : '');

/** Custom metadata: numbers compare numerically, arrays (MultiSelect) match any element. */
function compareCustom(actual: unknown, op: CompareOp, v: SearchValue): boolean {
  if (Array.isArray(actual)) return actual.some((a) => compareCustom(a, op, v));
  const text = literalText(v);
  if (typeof actual === 'number') {
    return text.trim() !== '' && !Number.isNaN(Number(text)) && compareNumbers(actual, op, Number(text));
  }
  if (typeof actual === 'string' || typeof actual === 'boolean') {
    if (op === '=' || op === ':') return compareString(String(actual), op, text);
    return compareNumbers(String(actual).localeCompare(text), op, 0);
  }
  return false;
}

function matches(field: string, op: CompareOp, v: SearchValue, f: SearchableFile, now: number): boolean {
  if (field.startsWith('customMetadata.')) return compareCustom(f.customMetadata?.[field.slice(15)], op, v);
  switch (field) {
    case 'name':
    case 'type':
      return compareString(f[field], op, literalText(v));
    case 'format':
      return compareString((f.format ?? '').toLowerCase(), op, literalText(v).toLowerCase());
    case 'tags':
      return (f.tags ?? []).some((t) => compareString(t, op, literalText(v)));
    case 'path':
      // `=` : directly inside the folder; `:` : anywhere below it (recursive).
      return op === '=' ? parentOf(f.filePath) === asFolder(literalText(v)) : f.filePath.startsWith(asFolder(literalText(v)));
    case 'size':
    case 'width':
    case 'height': {
      const actual = f[field];
      return typeof actual === 'number' && v.kind === 'number' && compareNumbers(actual, op, v.value);
    }
    case 'createdAt':
    case 'updatedAt':
      return compareDate(f[field], op, v, now);
    default:
      return false;
  }
}

/** True when `file` satisfies the query. `now` (Unix ms) anchors relative dates like "7d". */
export function evaluate(ast: SearchNode, file: SearchableFile, now: number): boolean {
  switch (ast.type) {
    case 'and':
      return evaluate(ast.left, file, now) && evaluate(ast.right, file, now);
    case 'or':
      return evaluate(ast.left, file, now) || evaluate(ast.right, file, now);
    case 'compare':
      return matches(ast.field, ast.op, ast.value, file, now);
    case 'in': {
      const any = ast.values.some((v) => matches(ast.field, '=', v, file, now));
      return ast.negate ? !any : any;
    }
  }
}
