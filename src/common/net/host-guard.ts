import { lookup, LookupAddress, LookupOptions } from 'node:dns';
import * as ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** NAT64's well-known prefix (RFC 6052): the IPv4 address it embeds decides. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * True for every address that is not globally reachable: whatever ipaddr.js's IANA
 * special-purpose ranges do not call `unicast` (loopback, private, CGNAT, link-local, multicast,
 * documentation, benchmarking 198.18/15, 240/4, site-local fec0::/10, 6to4, Teredo, …). An
 * IPv4-mapped address or one under NAT64's well-known prefix is judged by the IPv4 it embeds.
 */
export function isInternalAddress(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isInternalAddress(v6.toIPv4Address());
    if (v6.match(NAT64_WELL_KNOWN))
      return isInternalAddress(ipaddr.fromByteArray(v6.toByteArray().slice(12)));
  }
  return address.range() !== 'unicast';
}

/**
 * True for `localhost` names and for literal addresses that are not globally reachable. IPv4 is
 * read the way resolvers read it (127.1, 2130706433, 0x7f000001 are 127.0.0.1).
 */
export function isInternalHost(host: string): boolean {
  let h = host.replace(/^\[|\]$/g, '').toLowerCase();
  try {
    h = new URL(`http://${isIP(h) === 6 ? `[${h}]` : h}/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return true; // not a host the URL parser accepts: refuse rather than guess
  }
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (!isIP(h)) return false;
  try {
    return isInternalAddress(ipaddr.parse(h));
  } catch {
    return true;
  }
}

/** One CHANNEL_ALLOWED_HOSTS or WEBHOOK_ALLOWED_HOSTS entry: `host`, `*.suffix`, `host:port`, `host:*`, `[v6]:port`. */
export interface HostEntry {
  host: string;
  /** null: no port given (the standard ports in production, any elsewhere). */
  port: number | '*' | null;
}

export function parseHostEntry(entry: string): HostEntry {
  const e = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(e);
  if (bracketed) return { host: bracketed[1], port: portOf(bracketed[2]) };
  const withPort = /^([^:]+):(\d+|\*)$/.exec(e);
  if (withPort) return { host: withPort[1], port: portOf(withPort[2]) };
  return { host: e, port: null };
}

function portOf(p: string | undefined): HostEntry['port'] {
  if (p === undefined) return null;
  return p === '*' ? '*' : Number(p);
}

/** `host` against one entry's host: exact, or `*.suffix` for names under it. */
export function hostMatches(host: string, pattern: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return pattern.startsWith('*.')
    ? h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1
    : h === pattern;
}

/** `smtp.acme.test` matches `smtp.acme.test`, `*.acme.test` and those with a port. */
export function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) => hostMatches(host, parseHostEntry(entry).host));
}

/** Thrown by `publicOnlyLookup` for a name that resolves inside. */
export class InternalAddressError extends Error {
  readonly code = 'EINTERNALADDRESS';
  constructor(host: string) {
    super(`${host} resolves to an internal address`);
    this.name = 'InternalAddressError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for node:http(s) and node:net that refuses a name when any of its addresses is
 * internal (a public name pointing inside: SSRF). The socket connects to the address vetted here,
 * so a second resolution cannot swap it (DNS rebinding).
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (!addresses.length || addresses.some((a) => isInternalHost(a.address)))
      return callback(new InternalAddressError(hostname), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
