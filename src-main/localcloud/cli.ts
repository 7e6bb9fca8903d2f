import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliOptions } from './cli-options.js';
import { normalizeOrigin } from './origin-policy.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from './server.js';
import { ensureTlsMaterial } from './tls.js';
import { DEFAULT_IMAGEKIT_ID, DEFAULT_IMAGEKIT_PRIVATE_KEY, DEFAULT_IMAGEKIT_PUBLIC_KEY, imagekitUrlEndpoint, resolveAccounts } from './imagekit/routes.js';

const HELP = `Usage: npm run localcloud -- [options]

Runs the Ferry local cloud (Filestack and ImageKit wire protocols) until Ctrl-C.

  --port N               port to listen on (default 0 = a free port)
  --host H               interface to bind (default 127.0.0.1)
  --tls                  serve HTTPS with a self-signed certificate made once under DATA/tls/
                         (cert.pem, key.pem); trust it with NODE_EXTRA_CA_CERTS (Node) or
                         REQUESTS_CA_BUNDLE (Python) (env FERRY_LC_TLS=1)
  --data DIR             data folder (default .ferry-data/localcloud)
  --apikey K             app apikey (env FERRY_LC_APIKEY; default ${DEFAULT_LOCAL_APIKEY})
  --secret S             app secret for policies and webhook signatures (env FERRY_LC_SECRET)
  --security-required    refuse calls without a valid policy/signature (env FERRY_LC_SECURITY_REQUIRED=1)
  --fii                  allow intelligent ingestion for the app (env FERRY_LC_FII=1)
  --webhook URL          POST fp.upload / fp.video_complete here; repeatable
                         (env FERRY_LC_WEBHOOKS, comma-separated)
  --webhook-secret S     sign webhooks with S instead of the app secret (env FERRY_LC_WEBHOOK_SECRET)
  --ffmpeg PATH          ffmpeg binary for video_convert and ImageKit video (env FERRY_LC_FFMPEG;
                         default ffmpeg on PATH; ffprobe is looked for beside it)
  --ik-id ID             ImageKit id; delivery under /ik/ID (env FERRY_LC_IK_ID; default ${DEFAULT_IMAGEKIT_ID})
  --ik-private-key K     ImageKit private key (env FERRY_LC_IK_PRIVATE_KEY; default ${DEFAULT_IMAGEKIT_PRIVATE_KEY})
  --ik-public-key K      ImageKit public key (env FERRY_LC_IK_PUBLIC_KEY; default ${DEFAULT_IMAGEKIT_PUBLIC_KEY})
  --no-imagekit          leave the ImageKit front end out
  --cors ORIGIN          let a web app at ORIGIN (scheme://host:port) call the cloud from a
                         browser; repeatable (env FERRY_LC_CORS, comma-separated). Default: no
                         browser origin; never "*"
  --allow-private-fetch  let store-from-URL and URL uploads fetch loopback, private and
                         link-local addresses (env FERRY_LC_ALLOW_PRIVATE_FETCH=1); default: public only
  -h, --help             show this help

Command-line flags win over environment variables. A/V conversion jobs live in memory only.
`;

/** ffmpeg as given, and the ffprobe beside it when there is one (else ffprobe from PATH). */
function videoBinaries(ffmpeg: string): { ffmpegPath: string; ffprobePath?: string } {
  const beside = path.join(path.dirname(ffmpeg), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  return ffmpeg.includes(path.sep) && existsSync(beside) ? { ffmpegPath: ffmpeg, ffprobePath: beside } : { ffmpegPath: ffmpeg };
}


/**
 * `npm run localcloud -- --port N --data DIR [--apikey K] [--secret S] ...` (see HELP): runs the
 * local cloud standalone until SIGINT/SIGTERM. The first stdout line is the listening URL (tests
 * read it).
 */
async function main(): Promise<void> {
  const env = process.env;
  const { values } = parseArgs({
    options: cliOptions(env),
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const webhookUrls = values.webhook ?? (env.FERRY_LC_WEBHOOKS ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const u of webhookUrls) if (!/^https?:\/\/\S+$/.test(u)) throw new Error(`Invalid webhook URL ${u}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${values.port}`);
  const dataDir = path.resolve(values.data);
  const tls = values.tls ? await ensureTlsMaterial(dataDir, values.host) : null;
  const corsOrigins = (values.cors ?? (env.FERRY_LC_CORS ?? '').split(',')).map((o) => o.trim()).filter((o) => o !== '');
  // Fails early on "*" or a malformed origin.
  corsOrigins.forEach(normalizeOrigin);
  const ikAccount = resolveAccounts([{ imagekitId: values['ik-id'], privateKey: values['ik-private-key'], publicKey: values['ik-public-key'] }])[0];
  const cloud = await startLocalCloud({
    imagekit: values['no-imagekit'] || !ikAccount ? false : { accounts: [ikAccount], ...(values.ffmpeg !== undefined ? { video: videoBinaries(values.ffmpeg) } : {}) },
    dataDir,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    port,
    host: values.host,
    apps: [
      {
        apikey: values.apikey,
        ...(values.secret !== undefined ? { secret: values.secret } : {}),
        securityRequired: values['security-required'],
        intelligentIngestion: values.fii,
        webhookUrls,
        ...(values['webhook-secret'] !== undefined ? { webhookSecret: values['webhook-secret'] } : {}),
      },
    ],
    ...(values.ffmpeg !== undefined ? { filestack: { av: { ffmpegPath: values.ffmpeg } } } : {}),
    log: (level, message) => (level === 'error' ? console.error(message) : console.log(message)),
    corsOrigins,
    allowPrivateFetch: values['allow-private-fetch'],
  });
  process.stdout.write(`Ferry local cloud listening on ${cloud.baseUrl}\n`);
  process.stdout.write(`apikey: ${values.apikey}\n`);
  if (!values['no-imagekit'] && ikAccount) process.stdout.write(`imagekit urlEndpoint: ${imagekitUrlEndpoint(cloud.baseUrl, ikAccount)} (public key ${ikAccount.publicKey})\n`);
  if (tls) {
    process.stdout.write(`tls certificate: ${tls.certPath}${tls.created ? ' (new)' : ''}\n`);
    process.stdout.write(`  trust it: NODE_EXTRA_CA_CERTS=${tls.certPath} (Node), REQUESTS_CA_BUNDLE=${tls.certPath} (Python)\n`);
  }
  if (values['security-required']) process.stdout.write('security: required\n');
  if (webhookUrls.length > 0) process.stdout.write(`webhooks: ${webhookUrls.join(', ')}\n`);
  if (corsOrigins.length > 0) process.stdout.write(`cors: ${corsOrigins.join(', ')}\n`);
  if (values['allow-private-fetch']) process.stdout.write('url fetches: private addresses allowed\n');
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    cloud.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
