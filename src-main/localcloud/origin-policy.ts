/**
 * Who may talk to the local cloud from a browser. Browsers tag cross-origin calls (and every
 * POST) with `Origin`; only origins the user allowed get through, with a CORS grant naming them
 * (never `*`): the app's own window by default, plus `--cors ORIGIN` for a web app under test.
 * A request from any other origin is refused before a route runs, preflights included, so a web
 * page cannot drive the cloud even with simple (unpreflighted) requests.
 *
 * The Host check stops DNS rebinding: a page on evil.example re-resolved to 127.0.0.1 calls us
 * "same-origin" with `Host: evil.example`. A cloud bound to loopback answers loopback names only.
 */

/** Origins allowed so far; the web host adds its own once it knows its port. */
export type OriginPolicy = {
  allows(origin: string): boolean;
  /** Adds an origin (`scheme://host[:port]`); `*`, `null` and anything with a path are refused. */
  add(origin: string): void;
  readonly origins: readonly string[];
};

/** `scheme://host[:port]` in lowercase without a trailing slash; throws on wildcards and paths. */
export function normalizeOrigin(origin: string): string {
  const o = origin.trim().replace(/\/+$/, '').toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#*\s]+$/.test(o) || o.includes('@')) {
    throw new Error(`Invalid CORS origin ${JSON.stringify(origin)}: give scheme://host[:port], e.g. http://localhost:3000 (no "*").`);
  }
  return o;
}

/** Builds a policy from the initial list (each normalised; invalid entries throw). */
export function createOriginPolicy(initial: readonly string[] = []): OriginPolicy {
  const allowed = new Set(initial.map(normalizeOrigin));
  return {
    allows: (origin) => allowed.has(origin.trim().toLowerCase()),
    add: (origin) => void allowed.add(normalizeOrigin(origin)),
    get origins() {
      return [...allowed];
    },
  };
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether a request's Host header may reach a server bound to `boundHost`: anything when it is
 * bound beyond loopback (a LAN name or address is expected then), else loopback names only.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (hostHeader === undefined) return true;
  const bound = boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
  if (!LOOPBACK_NAMES.has(bound.toLowerCase())) return true;
  const name = hostHeader.trim().toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_NAMES.has(name);
}
