// The official filestack-js client, as a user would run it: one process that reads the file(s)
// and uploads them to a Filestack-compatible server at http://127.0.0.1 (its Node adapter drops
// explicit ports, so the server listens on 80). The bench times the whole process, like Ferry's
// CLI. Args: <apikey> <file or folder> [files at once]. Prints one JSON line per stored file
// ({file, handle, size}) or {error}.
import fs from 'node:fs';
import path from 'node:path';

const filestack = (await import('filestack-js')).default;

const [apikey, target, atOnce = '4'] = process.argv.slice(2);
const fail = (e) => {
  process.stdout.write(JSON.stringify({ error: String((e && e.message) || e) }) + '\n');
  process.exit(2);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
const base = 'http://127.0.0.1';
const client = filestack.init(apikey);
client.session.urls = { ...client.session.urls, uploadApiUrl: base, cdnUrl: base, fileApiUrl: base + '/api/file', processUrl: base };

async function main() {
  const files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).sort().map((n) => path.join(target, n)) : [target];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      // Its Node build uploads a Buffer: reading the file is part of the timed work.
      const data = fs.readFileSync(file);
      const r = await client.upload(data, { retry: 0 }, { filename: path.basename(file) });
      process.stdout.write(JSON.stringify({ file, handle: r.handle, size: r.size }) + '\n');
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(atOnce)) }, worker));
}
main().then(() => process.exit(0), fail);
