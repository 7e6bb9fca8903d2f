/**
 * The local cloud's TLS material: a self-signed certificate made once and kept under
 * `<data>/tls/` (`cert.pem`, `key.pem`), so clients that trust it once (NODE_EXTRA_CA_CERTS,
 * REQUESTS_CA_BUNDLE) keep trusting it across restarts. It is made again only when missing,
 * unreadable, about to expire or no longer naming the host the server is reached at.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

/** Certificate + key (PEM) and where they live. */
export type TlsMaterial = {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** True when this call made a new certificate. */
  readonly created: boolean;
};

/** How long a new certificate is valid; it is renewed when less than a month is left. */
const VALID_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Names every certificate carries, plus the bound host when it is another one. */
function namesFor(host: string | undefined): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  const h = host?.replace(/^\[|\]$/g, '');
  if (h !== undefined && h !== '' && h !== '0.0.0.0' && h !== '::') (isIP(h) ? ips : dns).add(h);
  return { dns: [...dns], ips: [...ips] };
}

/** Does the stored certificate still serve: parses, not near expiry, names every host? */
function stillGood(certPem: string, names: { dns: string[]; ips: string[] }): boolean {
  try {
    const x = new X509Certificate(certPem);
    if (Date.parse(x.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    return names.dns.every((d) => x.checkHost(d) !== undefined) && names.ips.every((ip) => x.checkIP(ip) !== undefined);
  } catch {
    return false;
  }
}

/** Writes atomically (temp + rename) so a crash never leaves half a PEM behind. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/**
 * Loads `<dataDir>/tls/{cert,key}.pem`, making a fresh self-signed pair (SAN: localhost,
 * 127.0.0.1, ::1 and `host`) when they are missing or no longer fit.
 */
export async function ensureTlsMaterial(dataDir: string, host?: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  const names = namesFor(host);
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8').catch(() => null), readFile(keyPath, 'utf8').catch(() => null)]);
  if (cert !== null && key !== null && stillGood(cert, names)) return { cert, key, certPath, keyPath, created: false };

  // selfsigned (with @peculiar/x509) works the same on every desktop OS; no openssl binary needed.
  const { generate } = await import('selfsigned');
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'Ferry local cloud' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 3600_000),
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    // A leaf that is its own issuer: trusted directly as a CA file by OpenSSL-based clients
    // (Node, Python requests, curl), and a valid TLS server certificate for browsers' rules.
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(keyPath, pems.private, 0o600);
  await writeAtomic(certPath, pems.cert, 0o644);
  return { cert: pems.cert, key: pems.private, certPath, keyPath, created: true };
}
