// The ceiling's client: streams the file in one PUT and checks the byte count. Args: <file> <port>.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

const [file, port] = [process.argv[2], Number(process.argv[3])];
const size = statSync(file).size;
await new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/sink', headers: { 'content-length': size } }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => (Number(text) === size ? resolve() : reject(new Error(`sink got ${text} of ${size} bytes`))));
  });
  req.on('error', reject);
  pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), req).catch(reject);
});
