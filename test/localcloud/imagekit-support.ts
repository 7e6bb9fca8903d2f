/**
 * Shared set-up for the ImageKit front-end tests: a real local cloud on loopback with one
 * ImageKit account, and tiny HTTP helpers (global fetch + FormData, as browsers and v7 use).
 */
import path from 'node:path';
import sharp from 'sharp';
import type { ImageKitFrontEndOptions } from '../../src-main/localcloud/imagekit/routes.js';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

export const ACCOUNT = { imagekitId: 'demo', privateKey: 'private_test_key_0001', publicKey: 'public_test_key_0001' } as const;
export const AUTH = `Basic ${Buffer.from(`${ACCOUNT.privateKey}:`).toString('base64')}`;

/** A running cloud plus its ImageKit URL endpoint. */
export type IkCloud = { cloud: LocalCloud; dir: string; endpoint: string; close(): Promise<void> };

/**
 * Starts a cloud in a fresh temp dir, or in `reuseDir` (then `close` keeps the folder).
 * `webhookSecret` signs the account's upload webhooks (default: its private key); `server` adds
 * server options (e.g. `allowPrivateFetch` for a loopback fixture).
 */
export async function startIkCloud(
  options: Omit<ImageKitFrontEndOptions, 'accounts'> = {},
  reuseDir?: string,
  webhookSecret?: string,
  server: Omit<LocalCloudOptions, 'dataDir' | 'imagekit'> = {},
): Promise<IkCloud> {
  const dir = reuseDir ?? (await makeTempDir('ferry-ik-'));
  const account = webhookSecret !== undefined ? { ...ACCOUNT, webhookSecret } : ACCOUNT;
  const cloud = await startLocalCloud({ ...server, dataDir: path.join(dir, 'cloud'), imagekit: { ...options, accounts: [account] } });
  return {
    cloud,
    dir,
    endpoint: `${cloud.baseUrl}/ik/${ACCOUNT.imagekitId}`,
    close: async () => {
      await cloud.close();
      if (reuseDir === undefined) await removeTempDir(dir);
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answer bodies are checked with expect(), not typed
export type Answer = { status: number; headers: Headers; json: any; body: Buffer };

async function answer(res: Response): Promise<Answer> {
  const body = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('json') && body.length > 0) json = JSON.parse(body.toString('utf8'));
  return { status: res.status, headers: res.headers, json, body };
}

/** A media-API call with the private key (or `auth: null` for none). */
export async function api(ik: IkCloud, method: string, route: string, body?: unknown, auth: string | null = AUTH): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${ik.cloud.baseUrl}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return answer(res);
}

/** A plain GET of any URL (delivery). */
export const get = async (url: string): Promise<Answer> => answer(await fetch(url));

/** Multipart upload; Buffer values go as binary parts named after `fileName`. */
export async function upload(ik: IkCloud, fields: Record<string, string | Buffer>, auth: string | null = AUTH): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([v], { type: 'application/octet-stream' }), typeof fields.fileName === 'string' ? fields.fileName : 'file');
  }
  const res = await fetch(`${ik.cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', headers: auth !== null ? { Authorization: auth } : {}, body: form });
  return answer(res);
}

/** A solid-colour PNG, optionally with a diagonal stripe so images differ in structure. */
export async function png(width: number, height: number, color: string, stripe = false): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 3, background: color } });
  if (!stripe) return base.png().toBuffer();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><polygon points="0,0 ${width},${height} 0,${height}" fill="#000"/></svg>`;
  return base.composite([{ input: Buffer.from(svg) }]).png().toBuffer();
}
