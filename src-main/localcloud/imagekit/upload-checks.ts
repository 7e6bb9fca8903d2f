/**
 * Upload `checks` (spec §2.1: "passed through verbatim"; the real grammar is UNCONFIRMED). The
 * emulator evaluates the simple comparisons users write — `"request.folder" : "/x/"` (folder is
 * or lies under) and `"file.size" < "1mb"` — joined by AND; anything it does not understand
 * passes, because refusing uploads over an unknown expression would be worse than not checking.
 */
import { IkError } from './http.js';

/** Facts a check can look at. */
export type CheckFacts = { readonly folder: string; readonly size: number; readonly mime: string };

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const CLAUSE = /^\s*["']?([a-z.]+)["']?\s*(<=|>=|=|:|<|>)\s*["']([^"']*)["']\s*$/i;

/** True/false when the clause is understood, null when it is not. */
function evalClause(clause: string, facts: CheckFacts): boolean | null {
  const m = CLAUSE.exec(clause);
  if (!m) return null;
  const [, field = '', op = '', raw = ''] = m;
  if (field === 'request.folder') {
    const want = `/${raw.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
    return op === ':' ? facts.folder.startsWith(want) : op === '=' ? facts.folder === want : null;
  }
  if (field === 'file.mime') return op === ':' ? facts.mime.startsWith(raw) : op === '=' ? facts.mime === raw : null;
  if (field === 'file.size') {
    const n = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
    const unit = UNITS[(n?.[2] ?? 'x').toLowerCase()];
    if (!n || unit === undefined) return null;
    const limit = Number(n[1]) * unit;
    const table: Record<string, boolean> = { '<': facts.size < limit, '>': facts.size > limit, '<=': facts.size <= limit, '>=': facts.size >= limit, '=': facts.size === limit };
    return table[op] ?? null;
  }
  return null;
}

/** Throws a 400 when an understood clause of `checks` fails. */
export function enforceChecks(checks: string | undefined, facts: CheckFacts): void {
  if (checks === undefined) return;
  for (const clause of checks.split(/\s+AND\s+/i)) {
    if (evalClause(clause, facts) === false) throw new IkError(400, `Your request failed the upload checks: ${clause.trim()}`);
  }
}
