/**
 * The `searchQuery` language of `GET /v1/files` (spec §5.1), the subset users need: fields
 * name, size, createdAt, updatedAt, format, tags, type, width, height, path, customMetadata.<f>;
 * operators `=`, `:` (prefix), `>`, `<`, `>=`, `<=`, `IN [..]`, `NOT IN [..]`; `AND`, `OR`
 * (AND binds tighter), parentheses, double-quoted strings (values, and field names as the docs
 * write them: `"customMetadata.price" > 5`). Messages mimic ImageKit's 400 texts;
 * only the createdAt one is a confirmed fixture, the others follow its pattern.
 */
export { evaluate } from './search-evaluate.js';
export type { SearchableFile } from './search-evaluate.js';

/** A typed literal; dates are absolute ms (`dayOnly` for `YYYY-MM-DD`) or "this long ago". */
export type SearchValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'date'; readonly ms: number; readonly dayOnly: boolean }
  | { readonly kind: 'ago'; readonly ms: number };

export type CompareOp = '=' | ':' | '>' | '<' | '>=' | '<=';

/** Parsed query tree. */
export type SearchNode =
  | { readonly type: 'and' | 'or'; readonly left: SearchNode; readonly right: SearchNode }
  | { readonly type: 'compare'; readonly field: string; readonly op: CompareOp; readonly value: SearchValue }
  | { readonly type: 'in'; readonly field: string; readonly negate: boolean; readonly values: readonly SearchValue[] };

export type SearchParseResult = { ok: true; ast: SearchNode } | { ok: false; message: string };

type FieldKind = 'string' | 'number' | 'size' | 'date';
const FIELDS: Record<string, FieldKind> = {
  name: 'string',
  format: 'string',
  tags: 'string',
  type: 'string',
  path: 'string',
  size: 'size',
  width: 'number',
  height: 'number',
  createdAt: 'date',
  updatedAt: 'date',
};
const STRING_OPS = new Set<string>(['=', ':']);

const HELP = ' Please refer to the documentation for syntax specification.';
const bad = (text: string): { ok: false; message: string } => ({ ok: false, message: `Invalid search query - ${text}${HELP}` });

type Token = { kind: 'str' | 'word' | 'op' | 'punct'; text: string; pos: number };

/** Splits the query into quoted strings, operators, brackets and bare words. */
function tokenize(q: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q.charAt(i);
    if (/\s/.test(ch)) i++;
    else if (ch === '"') {
      let text = '';
      let j = i + 1;
      for (; j < q.length && q.charAt(j) !== '"'; j++) {
        if (q.charAt(j) === '\\' && j + 1 < q.length) j++;
        text += q.charAt(j);
      }
      if (j >= q.length) return `string starting at position ${i} is not closed with a double quote.`;
      tokens.push({ kind: 'str', text, pos: i });
      i = j + 1;
    } else if ('()[],'.includes(ch)) tokens.push({ kind: 'punct', text: ch, pos: i++ });
    else if ('=:<>'.includes(ch)) {
      const two = q.slice(i, i + 2);
      const text = two === '>=' || two === '<=' ? two : ch;
      tokens.push({ kind: 'op', text, pos: i });
      i += text.length;
    } else {
      const m = /^[^\s"()[\],=:<>]+/.exec(q.slice(i));
      const text = m?.[0] ?? ch;
      tokens.push({ kind: 'word', text, pos: i });
      i += text.length;
    }
  }
  return tokens;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const AGO_UNITS: Record<string, number> = { h: 3600e3, d: 86400e3, w: 7 * 86400e3, m: 30 * 86400e3, y: 365 * 86400e3 };

/**
 * Types a literal for its field. Dates must be quoted (the confirmed ImageKit message says so);
 * `m` in a relative date is months (30 days), `y` 365 days; size units are binary (1kb = 1024 B,
 * real server's base UNCONFIRMED).
 */
function typeValue(field: string, kind: FieldKind, tok: Token): SearchValue | string {
  if (kind === 'string') return { kind: 'string', value: tok.text };
  if (kind === 'date') {
    const invalid = `${field} field must have a valid date value. Make sure the value is enclosed within quotes.`;
    if (tok.kind !== 'str') return invalid;
    const rel = /^(\d+)([hdwmy])$/i.exec(tok.text.trim());
    if (rel) return { kind: 'ago', ms: Number(rel[1]) * (AGO_UNITS[(rel[2] ?? '').toLowerCase()] ?? 0) };
    const text = tok.text.trim();
    const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
    return Number.isNaN(ms) ? invalid : { kind: 'date', ms, dayOnly: text.length === 10 };
  }
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(tok.text.trim());
  const unitName = (m?.[2] ?? 'x').toLowerCase();
  // Own keys only: `1constructor` is an unknown unit, not Object's function.
  const unit = Object.hasOwn(SIZE_UNITS, unitName) ? SIZE_UNITS[unitName] : undefined;
  if (!m || unit === undefined || (kind === 'number' && m[2] !== '')) {
    return `${field} field must have a valid numeric value${kind === 'size' ? ' (bytes, or a size like "1mb")' : ''}.`;
  }
  return { kind: 'number', value: Math.round(Number(m[1]) * unit) };
}

/** Recursive-descent parser: or := and (OR and)*; and := primary (AND primary)*. */
class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isWord(tok: Token | undefined, word: string): boolean {
    return tok?.kind === 'word' && tok.text.toUpperCase() === word;
  }
  private unexpected(tok: Token | undefined): never {
    throw new SyntaxError(tok ? `unexpected "${tok.text}" at position ${tok.pos}.` : 'the query ended unexpectedly.');
  }

  parse(): SearchNode {
    const node = this.or();
    if (this.peek()) this.unexpected(this.peek());
    return node;
  }
  private or(): SearchNode {
    let left = this.and();
    while (this.isWord(this.peek(), 'OR')) {
      this.i++;
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): SearchNode {
    let left = this.primary();
    while (this.isWord(this.peek(), 'AND')) {
      this.i++;
      left = { type: 'and', left, right: this.primary() };
    }
    return left;
  }
  private primary(): SearchNode {
    const tok = this.peek();
    if (tok?.kind === 'punct' && tok.text === '(') {
      this.i++;
      const inner = this.or();
      const close = this.peek();
      if (close?.kind !== 'punct' || close.text !== ')') this.unexpected(close);
      this.i++;
      return inner;
    }
    // ImageKit's docs quote dotted fields (`"customMetadata.price" > 5`); a quoted string is a
    // field name here, since a comparison always starts with one.
    if (tok?.kind !== 'word' && tok?.kind !== 'str') this.unexpected(tok);
    this.i++;
    return this.comparison(tok.text);
  }
  private field(name: string): FieldKind {
    if (/^customMetadata\.[A-Za-z0-9_-]+$/.test(name)) return 'string';
    const kind = Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
    if (!kind) throw new SyntaxError(`${name} is not a valid field.`);
    return kind;
  }
  private literal(field: string, kind: FieldKind): SearchValue {
    const tok = this.peek();
    if (tok?.kind !== 'str' && tok?.kind !== 'word') this.unexpected(tok);
    this.i++;
    const value = typeValue(field, kind, tok);
    if (typeof value === 'string') throw new SyntaxError(value);
    return value;
  }
  private comparison(field: string): SearchNode {
    const kind = this.field(field);
    let tok = this.peek();
    const negate = this.isWord(tok, 'NOT');
    if (negate) tok = this.tokens[++this.i];
    if (this.isWord(tok, 'IN')) {
      this.i++;
      const open = this.peek();
      if (open?.kind !== 'punct' || open.text !== '[') this.unexpected(open);
      this.i++;
      const values: SearchValue[] = [this.literal(field, kind)];
      while (this.peek()?.kind === 'punct' && this.peek()?.text === ',') {
        this.i++;
        values.push(this.literal(field, kind));
      }
      const close = this.peek();
      if (close?.kind !== 'punct' || close.text !== ']') this.unexpected(close);
      this.i++;
      return { type: 'in', field, negate, values };
    }
    if (negate || tok?.kind !== 'op') this.unexpected(tok);
    const op = tok.text as CompareOp;
    const custom = field.startsWith('customMetadata.');
    if (!custom && (kind === 'string' ? !STRING_OPS.has(op) : op === ':')) {
      throw new SyntaxError(`operator "${op}" cannot be used with the ${field} field.`);
    }
    this.i++;
    return { type: 'compare', field, op, value: this.literal(field, kind) };
  }
}

/** Parses a searchQuery; errors are ImageKit-style 400 messages. */
export function parseSearchQuery(q: string): SearchParseResult {
  if (q.trim() === '') return bad('the query is empty.');
  const tokens = tokenize(q);
  if (typeof tokens === 'string') return bad(tokens);
  try {
    return { ok: true, ast: new Parser(tokens).parse() };
  } catch (err) {
    if (err instanceof SyntaxError) return bad(err.message);
    throw err;
  }
}
