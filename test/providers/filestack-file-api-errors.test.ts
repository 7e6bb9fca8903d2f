import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { metadata, type FileApiConfig } from '../../src-main/providers/filestack/file-api.js';

/**
 * Spec §10: 400/403/404 (any 4xx) are final, 5xx / 429 / network failures are retried. Checked
 * through jsonRequest and the provider's retry loop (withRetry) against a loopback server that
 * answers a fixed status, counting how many requests arrive.
 */

const HANDLE = 'AAAAAAAAAAAAAAAAAAAA';
const POLICY = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, jitter: 0 };

let server: http.Server;
let base: string;
let status = 500;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (status === 429) headers['Retry-After'] = '0';
    res.writeHead(status, headers);
    res.end(JSON.stringify({ message: `status ${status}`, code: 'x' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const cfgFor = (origin: string): FileApiConfig => ({ apikey: 'K', cdnBase: origin, fileApiBase: origin, retry: POLICY });

describe('Filestack status classification (spec §10)', () => {
  const table: [number, string, boolean][] = [
    [400, 'bad_request', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [503, 'server_error', true],
  ];
  it.each(table)('HTTP %i → %s, retried: %s', async (code, errorCode, retried) => {
    status = code;
    hits = 0;
    const err = await metadata(cfgFor(base), HANDLE).then(
      () => null,
      (e: unknown) => toAppError(e),
    );
    expect(err).toMatchObject({ code: errorCode, retryable: retried, details: { status: code } });
    expect(hits).toBe(retried ? 1 + POLICY.maxRetries : 1);
  });

  it('a connection reset (network failure) is retried', async () => {
    let connections = 0;
    const rude = net.createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(rude.address() as AddressInfo).port}`;
      const err = await metadata(cfgFor(origin), HANDLE).then(
        () => null,
        (e: unknown) => toAppError(e),
      );
      expect(err).toMatchObject({ code: 'network', retryable: true });
      expect(connections).toBe(1 + POLICY.maxRetries);
    } finally {
      await new Promise<void>((r) => rude.close(() => r()));
    }
  });

  it('a 5xx followed by success is recovered by the retry loop', async () => {
    hits = 0;
    let calls = 0;
    const flaky = http.createServer((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 503 : 200, { 'Content-Type': 'application/json' });
      res.end(calls === 1 ? '{"message":"busy"}' : '{"size":5}');
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
      expect(await metadata(cfgFor(origin), HANDLE, ['size'])).toEqual({ size: 5, handle: HANDLE });
      expect(calls).toBe(2);
    } finally {
      await new Promise<void>((r) => flaky.close(() => r()));
    }
  });
});
