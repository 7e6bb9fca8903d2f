/** Command-line options of the browser-mode host. */
export type WebArgs = {
  /** null: the port this data folder used last time (or a free one); 0: any free port. */
  port: number | null;
  dataDir: string | null;
  staticDir: string | null;
  /** Open the default browser on the URL once listening (`npm start` asks for it). */
  open: boolean;
  /** Paths to upload; a second launch hands them to the running Ferry. */
  files: string[];
};

/**
 * Parses `--port N` (default FERRY_PORT, else the remembered port), `--data DIR`, `--static DIR`
 * and `--open`, in both `--flag value` and `--flag=value` forms, and files to upload (after
 * `--`, anything goes). Unknown flags are an error, not ignored, so a typo does not silently
 * start on the wrong data folder.
 */
export function parseWebArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): WebArgs {
  const out: WebArgs = { port: env.FERRY_PORT ? parsePort(env.FERRY_PORT, 'FERRY_PORT') : null, dataDir: null, staticDir: null, open: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (arg === '--') {
      out.files.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-')) out.files.push(arg);
    else if (flag === '--port') out.port = parsePort(value(), '--port');
    else if (flag === '--data') out.dataDir = value();
    else if (flag === '--static') out.staticDir = value();
    else if (arg === '--open') out.open = true;
    else throw new Error(`Unknown option: ${arg}`);
  }
  return out;
}

function parsePort(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number (0-65535), got "${text}"`);
  return n;
}
