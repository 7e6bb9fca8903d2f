import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule, RewrittenResponse } from '../support/fault-proxy.js';
import { writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { isCall, PART, partOf, providerFor, rejection, sourceOf, startRig, uploadContext, type Rig } from './rig.js';

/**
 * Reliability matrix row 5: a server that lies (no ETag, a wrong ETag, a 200 from complete that
 * carries an error or a wrong size, metadata with a wrong hash) gets a typed error, no hang, and
 * the upload never resolves as done.
 */

const SIZE = PART + 400_000;
let dir: string;
let rig: Rig | null = null;
let file: string;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-lies-');
  file = path.join(dir, 'source.bin');
  await writeRandomFile(file, SIZE);
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

type Rewrite = (status: number, headers: Record<string, string | string[]>, body: Buffer) => RewrittenResponse;
const rewriteWhen = (match: (method: string, url: string) => boolean, fn: Rewrite): FaultRule => (req) =>
  match(req.method, req.url) ? { kind: 'rewrite-response', fn } : null;
const isPut2 = (m: string, url: string): boolean => m === 'PUT' && /^\/s3\/[^/]+\/2\?/.test(url);
const isComplete = (m: string, url: string): boolean => m === 'POST' && url.startsWith('/multipart/complete');
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

async function failWith(rule: FaultRule): Promise<{ code: string; message: string }> {
  rig = await startRig(path.join(dir, 'cloud'), rule);
  return rejection(providerFor(rig).upload(sourceOf(file, SIZE), uploadContext()));
}

describe('row 5: a lying server never yields a wrong "done"', () => {
  it('a part answered 200 without an ETag → typed protocol error, complete never called', async () => {
    const err = await failWith(
      rewriteWhen(isPut2, (status, headers, body) => {
        const { etag: _dropped, ...rest } = headers;
        return { status, headers: rest, body };
      }),
    );
    expect(err.code).toBe('protocol');
    expect(err.message).toMatch(/ETag/);
    expect(rig!.proxy.log.filter((e) => isCall(e, 'complete'))).toEqual([]);
  });

  it('a part answered with a wrong ETag → complete is refused, typed error, nothing stored as done', async () => {
    const err = await failWith(rewriteWhen(isPut2, (status, headers, body) => ({ status, headers: { ...headers, etag: '"0123456789abcdef0123456789abcdef"' }, body })));
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/ETag of part 2/);
    expect(rig!.proxy.log.filter((e) => partOf(e) === 2).length).toBeGreaterThanOrEqual(1);
  });

  it('complete answering 200 with an error body → typed protocol error after bounded retries', async () => {
    const err = await failWith(rewriteWhen(isComplete, () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: json({ error: 'InternalError' }) })));
    expect(err.code).toBe('protocol');
    expect(err.message).toMatch(/multipart\/complete/);
    // FAST_RETRY allows 6 retries: 7 calls, not an endless loop.
    expect(rig!.proxy.log.filter((e) => isCall(e, 'complete')).length).toBe(7);
  });

  it('complete answering 200 with a wrong size → typed integrity error', async () => {
    const err = await failWith(
      rewriteWhen(isComplete, (status, headers, body) => {
        const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
        return { status, headers, body: json({ ...parsed, size: SIZE - 1 }) };
      }),
    );
    expect(err.code).toBe('integrity');
    expect(rig!.proxy.log.some((e) => e.method === 'GET' && e.url.includes('/metadata'))).toBe(false);
  });

  it('metadata reporting another MD5 → typed integrity error', async () => {
    const isMeta = (m: string, url: string): boolean => m === 'GET' && url.includes('/metadata');
    const err = await failWith(
      rewriteWhen(isMeta, (status, headers, body) => {
        const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
        return { status, headers, body: json({ ...parsed, md5: 'ffffffffffffffffffffffffffffffff' }) };
      }),
    );
    expect(err.code).toBe('integrity');
    expect(err.message).toMatch(/does not match/);
  });
});
