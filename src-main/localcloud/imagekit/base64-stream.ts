/**
 * Decodes a base64 `file` field as it streams in (spec §2.1: plain or a `data:...;base64,` URI,
 * standard or URL-safe alphabet, whitespace ignored), so a large upload never sits in memory as
 * text. Invalid input throws as soon as it is seen.
 */

/** Thrown for text that is not base64 (the caller answers ImageKit's invalid-file 400). */
export class InvalidBase64Error extends Error {
  constructor() {
    super('The file field is not base64.');
    this.name = 'InvalidBase64Error';
  }
}

const CHARS = /^[A-Za-z0-9+/_-]*$/;
/** Longest `data:<type>;base64,` prefix we wait for. */
const MAX_PREFIX = 512;

/** Incremental decoder: `push` text, get the bytes decodable so far; `end` flushes the rest. */
export class Base64Decoder {
  private head = '';
  private started = false;
  private carry = '';
  private padding = 0;

  push(text: string): Buffer {
    if (this.started) return this.decode(text);
    this.head += text;
    const lead = this.head.trimStart();
    // Too short to tell whether a `data:` prefix starts here: wait for more.
    if (lead.length < 5 && 'data:'.startsWith(lead.toLowerCase())) return Buffer.alloc(0);
    if (!/^data:/i.test(lead)) return this.begin(this.head);
    const comma = lead.indexOf(',');
    if (comma < 0) {
      if (lead.length > MAX_PREFIX) throw new InvalidBase64Error();
      return Buffer.alloc(0);
    }
    if (!/^data:[^,]*;base64$/i.test(lead.slice(0, comma))) throw new InvalidBase64Error();
    return this.begin(lead.slice(comma + 1));
  }

  end(): Buffer {
    const head = this.started ? Buffer.alloc(0) : this.begin(this.head);
    const tail = this.carry === '' ? Buffer.alloc(0) : Buffer.from(this.carry, 'base64');
    // A lone trailing character (length % 4 === 1) cannot encode a byte.
    if (this.carry.length % 4 === 1) throw new InvalidBase64Error();
    this.carry = '';
    return Buffer.concat([head, tail]);
  }

  private begin(rest: string): Buffer {
    this.started = true;
    this.head = '';
    return this.decode(rest);
  }

  private decode(text: string): Buffer {
    let clean = text.replace(/\s+/g, '');
    // `=` may only end the text, at most twice.
    const pad = /=+$/.exec(clean)?.[0].length ?? 0;
    if (pad > 0) clean = clean.slice(0, -pad);
    if ((this.padding > 0 && clean.length > 0) || !CHARS.test(clean)) throw new InvalidBase64Error();
    this.padding += pad;
    if (this.padding > 2) throw new InvalidBase64Error();
    const all = this.carry + clean;
    const cut = all.length - (all.length % 4);
    this.carry = all.slice(cut);
    return cut === 0 ? Buffer.alloc(0) : Buffer.from(all.slice(0, cut), 'base64');
  }
}
