// The ceiling's server: counts the bytes of each PUT and answers 200; nothing is stored.
import http from 'node:http';

const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => res.writeHead(200, { 'content-length': String(bytes).length }).end(String(bytes)));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));
