import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from './server.js';

/**
 * `npm run localcloud -- --port N --data DIR [--apikey K] [--secret S]`: runs the local cloud
 * standalone until SIGINT/SIGTERM. The first stdout line is the listening URL (tests read it).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      data: { type: 'string', default: path.join('.ferry-data', 'localcloud') },
      apikey: { type: 'string', default: DEFAULT_LOCAL_APIKEY },
      secret: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${values.port}`);
  const cloud = await startLocalCloud({
    dataDir: path.resolve(values.data),
    port,
    host: values.host,
    apps: [{ apikey: values.apikey, ...(values.secret !== undefined ? { secret: values.secret } : {}) }],
    log: (level, message) => (level === 'error' ? console.error(message) : console.log(message)),
  });
  process.stdout.write(`Ferry local cloud listening on ${cloud.baseUrl}\n`);
  process.stdout.write(`apikey: ${values.apikey}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    cloud.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
