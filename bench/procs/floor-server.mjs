// The protocol floor, server side: each part PUT is MD5-hashed while it streams in, written once
// at its offset in the final file, and checked against Content-MD5; POST /complete fsyncs the
// file. Nothing else (no sessions, no API calls, no whole-file hash). Prints `port N` when ready.
// Args: <final file>.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import http from 'node:http';

const fh = await open(process.argv[2], 'w+');
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/complete') {
    await fh.sync();
    res.writeHead(200, { 'content-length': 0 }).end();
    return;
  }
  let position = Number(url.searchParams.get('offset'));
  const md5 = createHash('md5');
  const writes = [];
  for await (const chunk of req) {
    md5.update(chunk);
    writes.push(fh.write(chunk, 0, chunk.length, position));
    position += chunk.length;
  }
  await Promise.all(writes);
  const digest = md5.digest('base64');
  if (digest !== req.headers['content-md5']) res.writeHead(400, { 'content-length': 0 }).end();
  else res.writeHead(200, { etag: `"${Buffer.from(digest, 'base64').toString('hex')}"`, 'content-length': 0 }).end();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));
