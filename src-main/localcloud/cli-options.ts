import path from 'node:path';
import { DEFAULT_LOCAL_APIKEY } from './context.js';
import { DEFAULT_IMAGEKIT_ID, DEFAULT_IMAGEKIT_PRIVATE_KEY, DEFAULT_IMAGEKIT_PUBLIC_KEY } from './imagekit/routes.js';

/** `true` for 1/true/yes/on (any case): how boolean FERRY_LC_* variables are read. */
export const envFlag = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/**
 * The local cloud CLI's flags, with defaults from the FERRY_LC_* environment (flags win). Kept
 * apart from cli.ts (which runs on import) so a test can check --help names every one of them.
 */
export function cliOptions(env: NodeJS.ProcessEnv) {
  return {
    port: { type: 'string', default: '0' },
    data: { type: 'string', default: path.join('.ferry-data', 'localcloud') },
    apikey: { type: 'string', default: env.FERRY_LC_APIKEY ?? DEFAULT_LOCAL_APIKEY },
    secret: { type: 'string', ...(env.FERRY_LC_SECRET !== undefined ? { default: env.FERRY_LC_SECRET } : {}) },
    'security-required': { type: 'boolean', default: envFlag(env.FERRY_LC_SECURITY_REQUIRED) },
    fii: { type: 'boolean', default: envFlag(env.FERRY_LC_FII) },
    webhook: { type: 'string', multiple: true },
    'webhook-secret': { type: 'string', ...(env.FERRY_LC_WEBHOOK_SECRET !== undefined ? { default: env.FERRY_LC_WEBHOOK_SECRET } : {}) },
    ffmpeg: { type: 'string', ...(env.FERRY_LC_FFMPEG !== undefined ? { default: env.FERRY_LC_FFMPEG } : {}) },
    'ik-id': { type: 'string', default: env.FERRY_LC_IK_ID ?? DEFAULT_IMAGEKIT_ID },
    'ik-private-key': { type: 'string', default: env.FERRY_LC_IK_PRIVATE_KEY ?? DEFAULT_IMAGEKIT_PRIVATE_KEY },
    'ik-public-key': { type: 'string', default: env.FERRY_LC_IK_PUBLIC_KEY ?? DEFAULT_IMAGEKIT_PUBLIC_KEY },
    'no-imagekit': { type: 'boolean', default: false },
    cors: { type: 'string', multiple: true },
    'allow-private-fetch': { type: 'boolean', default: envFlag(env.FERRY_LC_ALLOW_PRIVATE_FETCH) },
    help: { type: 'boolean', short: 'h', default: false },
    host: { type: 'string', default: '127.0.0.1' },
    tls: { type: 'boolean', default: envFlag(env.FERRY_LC_TLS) },
  } as const;
}
