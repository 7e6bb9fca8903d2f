import { mkdirSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../engine/ports.js';

/** A Logger that can be flushed and closed on shutdown. */
export type ClosableLogger = Logger & { close(): Promise<void> };

/** Field names whose values are never written, whatever they contain. */
const SECRET_KEY = /key|secret|token|password|passwd|signature|policy|authorization|cookie|credential/i;
/** Secrets that hide inside URLs and messages (query parameters, bearer headers). */
const SECRET_IN_TEXT = /((?:api_?key|key|token|signature|policy|secret|password)=)[^&\s"']+|(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

/** Returns a copy of `value` with secret-looking fields and URL parameters replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_IN_TEXT, (_m, a?: string, b?: string) => `${a ?? b ?? ''}[redacted]`);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * Writes JSON lines to `<dataDir>/logs/ferry.log` (and optionally to stderr). Secrets are
 * redacted by field name and by URL parameter before anything is written. Logging never throws:
 * a full disk must not take an upload down with it.
 */
export function createLogger(opts: { dataDir: string; stderr?: boolean; now?: () => number }): ClosableLogger {
  const now = opts.now ?? Date.now;
  let stream: WriteStream | null = null;
  try {
    const dir = join(opts.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    stream = createWriteStream(join(dir, 'ferry.log'), { flags: 'a' });
    stream.on('error', () => {
      stream = null;
    });
  } catch {
    stream = null;
  }
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    try {
      const line = JSON.stringify({ t: new Date(now()).toISOString(), level, msg: redact(message), ...(redact(fields ?? {}) as object) });
      stream?.write(`${line}\n`);
      if (opts.stderr) process.stderr.write(`${line}\n`);
    } catch {
      // Unserialisable fields: drop the line rather than crash the caller.
    }
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    close: () =>
      new Promise<void>((resolve) => {
        const s = stream;
        stream = null;
        if (!s) return resolve();
        s.end(() => resolve());
      }),
  };
}
