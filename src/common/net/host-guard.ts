import { lookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/** True for loopback, private, link-local and unspecified literal addresses and `localhost`. */
export function isInternalHost(host: string): boolean {
  let h = host.replace(/^\[|\]$/g, '').toLowerCase();
  try {
    // The URL parser reads IPv4 the way resolvers do: 127.1, 2130706433, 0x7f000001 → 127.0.0.1.
    h = new URL(`http://${isIP(h) === 6 ? `[${h}]` : h}/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return true; // not a host the URL parser accepts: refuse rather than guess
  }
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(h) === 6)
    return (
      h === '::1' ||
      h === '::' ||
      /^f[cd]/.test(h) ||
      /^fe[89ab]/.test(h) ||
      h.startsWith('::ffff:')
    );
  return false;
}

/** `smtp.acme.test` matches `smtp.acme.test` and `*.acme.test`. */
export function hostAllowed(host: string, allowed: string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
  });
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
