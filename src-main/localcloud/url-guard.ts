/**
 * Which addresses the local cloud may fetch a user-given URL from. It runs on the user's machine,
 * so a URL naming loopback, the LAN, link-local (cloud metadata at 169.254.169.254) or any other
 * special range would let a caller read what only that machine can reach. Only public unicast
 * addresses pass, unless the operator allows private ones (`--allow-private-fetch`).
 *
 * The check runs inside the connection's own DNS lookup, so the address that was checked is the
 * one connected to (a second resolution cannot swap in another), and again on every redirect.
 */
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which special addresses may be fetched anyway: `true` = all (`--allow-private-fetch`), or a list
 * of addresses and CIDR ranges (e.g. a NAS at 192.168.1.20, or one test fixture); `false` = none.
 */
export type PrivateFetchPolicy = boolean | readonly string[];

/** A refused address: `range` is ipaddr.js's name for it (loopback, private, linkLocal...). */
export type Refusal = { readonly host: string; readonly address: string; readonly range: string };

/** Thrown by the guarded lookup; carries the refusal. */
export class RefusedAddressError extends Error {
  constructor(readonly refusal: Refusal) {
    super(`${refusal.host} is a ${refusal.range} address (${refusal.address})`);
    this.name = 'RefusedAddressError';
  }
}

function listed(addr: ipaddr.IPv4 | ipaddr.IPv6, entry: string): boolean {
  try {
    const [net0, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.process(entry), null];
    const a = ipaddr.process(addr.toString());
    if (a.kind() !== net0.kind()) return false;
    return bits === null ? a.toString() === net0.toString() : a.match([net0, bits] as [typeof a, number]);
  } catch {
    return false;
  }
}

/**
 * The special range `address` is in, or null when it may be fetched: a public unicast address,
 * or one the policy allows. IPv4-mapped IPv6 counts as IPv4.
 */
export function specialRange(address: string, policy: PrivateFetchPolicy = false): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const addr = ipaddr.process(address);
  const range = addr.range();
  if (range === 'unicast' || policy === true) return null;
  return policy !== false && policy.some((entry) => listed(addr, entry)) ? null : range;
}

/** Refusal for an IP-literal host (Node connects to literals without a lookup), else null. */
export function refuseLiteral(hostname: string, policy: PrivateFetchPolicy = false): Refusal | null {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) === 0) return null;
  const range = specialRange(host, policy);
  return range === null ? null : { host, address: host, range };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request: resolves the name, refuses it when ANY of its addresses is
 * special and not allowed (a name mixing public and private answers is not trusted), and hands
 * the checked addresses to the connection.
 */
export const guardedLookup = (policy: PrivateFetchPolicy) => (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, '', 4);
      return;
    }
    for (const a of addresses) {
      const range = specialRange(a.address, policy);
      if (range !== null) {
        callback(Object.assign(new RefusedAddressError({ host: hostname, address: a.address, range }), { code: 'EREFUSEDADDRESS' }), '', 4);
        return;
      }
    }
    const first = addresses[0];
    if (options.all) callback(null, addresses);
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
  });
};
