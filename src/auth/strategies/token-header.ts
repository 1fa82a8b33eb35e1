import type { KeyObject } from 'node:crypto';
/** The decoded JOSE header of a compact JWT, or null. (Read before the signature is checked.) */
export function decodeJwtHeader(raw: string): Record<string, unknown> | null {
  try {
    const header = JSON.parse(Buffer.from(raw.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return header && typeof header === 'object' ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface KeyRing {
  find(kid: unknown): { alg: string; key: KeyObject } | undefined;
}

/**
 * passport-jwt's key lookup for one token type: the header must name `typ` and a known `kid`
 * with its algorithm; anything else is refused before the signature is even checked.
 */
export function keyProviderFor(typ: string, keys: KeyRing, refuse: () => Error) {
  return (
    _req: unknown,
    rawJwt: string,
    done: (err: unknown, key?: string | Buffer) => void,
  ): void => {
    const header = decodeJwtHeader(rawJwt);
    const key = keys.find(header?.kid);
    if (!header || header.typ !== typ || !key || header.alg !== key.alg) return done(refuse());
    // passport-jwt hands the key to jsonwebtoken.verify, which takes a KeyObject (parsed once)
    // although passport-jwt's types only name PEM text.
    done(null, key.key as unknown as Buffer);
  };
}
