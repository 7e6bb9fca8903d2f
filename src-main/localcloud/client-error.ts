import type { Duplex } from 'node:stream';

/**
 * Answers a request Node could not parse before closing the socket, so a client sees why
 * instead of a reset: a request line or headers over the size limit get 431, anything else 400.
 * For `server.on('clientError', ...)` of the local cloud and the web host.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const line = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = err.code === 'HPE_HEADER_OVERFLOW' ? 'The request line or headers are too large.\n' : 'Malformed request.\n';
  socket.end(`HTTP/1.1 ${line}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
