// The protocol floor, client side: reads 8 MiB parts (Ferry's part size; one buffer per slot, reused), hashes each
// with MD5 for its Content-MD5, PUTs 3 at a time, then asks the server to complete. Exits 0 when
// every part was acknowledged. Args: <file> <port>.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import http from 'node:http';

const [file, port] = [process.argv[2], Number(process.argv[3])];
const PART = 8 * 1024 * 1024;
const agent = new http.Agent({ keepAlive: true });
const request = (method, path, headers, body) =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
const fh = await open(file, 'r');
const size = (await fh.stat()).size;
const count = Math.ceil(size / PART);
let next = 0;
const slot = async () => {
  const buf = Buffer.allocUnsafe(PART);
  while (next < count) {
    const offset = next++ * PART;
    const length = Math.min(PART, size - offset);
    const body = buf.subarray(0, length);
    for (let got = 0; got < length; ) got += (await fh.read(body, got, length - got, offset + got)).bytesRead;
    const md5 = createHash('md5').update(body).digest('base64');
    await request('PUT', `/part?offset=${offset}`, { 'content-length': length, 'content-md5': md5 }, body);
  }
};
await Promise.all([slot(), slot(), slot()]);
await request('POST', '/complete', { 'content-length': 0 });
await fh.close();
agent.destroy();
