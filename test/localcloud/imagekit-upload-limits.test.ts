/**
 * Issue 13, hole 6: the ImageKit upload form caps `fileName`, caps ordinary text fields, and
 * streams a base64 `file` field into storage as it arrives (decoded on the fly, capped), instead
 * of holding it whole as text.
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Base64Decoder } from '../../src-main/localcloud/imagekit/base64-stream.js';
import { hashBytes } from '../support/files.js';
import { AUTH, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;
const MAX = 4 * 1024 * 1024;

beforeAll(async () => {
  ik = await startIkCloud({ maxUploadBytes: MAX });
});
afterAll(async () => {
  await ik.close();
});

/** Bytes of the largest temp file in the storage's tmp folder (0 when there is none). */
async function biggestTemp(): Promise<number> {
  let most = 0;
  for (const name of await readdir(ik.cloud.storage.tmpDir)) {
    const s = await stat(path.join(ik.cloud.storage.tmpDir, name)).catch(() => null);
    if (s?.isFile()) most = Math.max(most, s.size);
  }
  return most;
}

describe('ImageKit upload limits', () => {
  it('refuses a fileName over 255 bytes and ordinary fields over 1 MiB', async () => {
    const small = randomBytes(100);
    const longName = await upload(ik, { file: small.toString('base64'), fileName: `${'n'.repeat(300)}.bin` });
    expect(longName.status).toBe(400);
    expect(longName.json.message).toContain('fileName');
    const hugeTags = await upload(ik, { file: small.toString('base64'), fileName: 'a.bin', tags: 't,'.repeat(600_000) });
    expect(hugeTags.status).toBe(400);
    expect(hugeTags.json.message).toContain('tags');
  });

  it('stores a base64 file bigger than any text field intact, and answers 413 past the byte cap', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const ok = await upload(ik, { file: `data:application/octet-stream;base64,${bytes.toString('base64')}`, fileName: 'big.bin', useUniqueFileName: 'false' });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.size).toBe(bytes.length);
    const got = await fetch(String(ok.json.url));
    expect(hashBytes(Buffer.from(await got.arrayBuffer()))).toBe(hashBytes(bytes));
    const over = await upload(ik, { file: randomBytes(MAX + 10).toString('base64'), fileName: 'over.bin' });
    expect(over.status).toBe(413);
    const bad = await upload(ik, { file: `${randomBytes(3000).toString('base64')}!!${randomBytes(3000).toString('base64')}`, fileName: 'bad.bin' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('invalid file parameter');
  });

  it('writes the decoded bytes to storage while the base64 text is still arriving', async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const text = bytes.toString('base64');
    const boundary = 'ferryboundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="fileName"\r\n\r\nslow.bin\r\n--${boundary}\r\nContent-Disposition: form-data; name="useUniqueFileName"\r\n\r\nfalse\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${ik.cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': `multipart/form-data; boundary=${boundary}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(head);
      const half = Math.floor(text.length / 2 / 4) * 4;
      req.write(text.slice(0, half));
      // Half the text sent: the decoded first half must already be on disk, before the rest is.
      const waitForDisk = async (): Promise<void> => {
        for (let i = 0; i < 200 && (await biggestTemp()) < bytes.length / 4; i++) await new Promise((r) => setTimeout(r, 25));
      };
      waitForDisk()
        .then(async () => {
          const onDisk = await biggestTemp();
          expect(onDisk).toBeGreaterThanOrEqual(bytes.length / 4);
          expect(onDisk).toBeLessThan(bytes.length);
          req.end(text.slice(half) + tail);
        })
        .catch((err: unknown) => {
          req.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
    const res = await answer;
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ size: bytes.length });
  });
});

describe('streaming base64 decoder', () => {
  it('decodes plain, data-URI, URL-safe and wrapped text split at every position, and refuses junk', () => {
    const bytes = randomBytes(47);
    const forms = [
      bytes.toString('base64'),
      `data:image/png;base64,${bytes.toString('base64')}`,
      bytes.toString('base64url'),
      `  ${bytes.toString('base64').replace(/(.{10})/g, '$1\n')}  `,
    ];
    for (const text of forms) {
      for (let cut = 0; cut <= text.length; cut++) {
        const d = new Base64Decoder();
        const out = Buffer.concat([d.push(text.slice(0, cut)), d.push(text.slice(cut)), d.end()]);
        expect(out.equals(bytes), `${text.slice(0, 12)}… cut at ${cut}`).toBe(true);
      }
    }
    const bad = (text: string): boolean => {
      const d = new Base64Decoder();
      try {
        d.push(text);
        d.end();
        return false;
      } catch {
        return true;
      }
    };
    expect(bad('abc$def')).toBe(true);
    expect(bad('QUJD=QUJD')).toBe(true);
    expect(bad('data:text/plain,hello')).toBe(true);
    expect(bad('QUJDRA==')).toBe(false);
  });
});
