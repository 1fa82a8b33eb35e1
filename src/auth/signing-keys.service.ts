import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, createPrivateKey, createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { authConfig, JwtAlgorithm } from '../../config/app-config';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  use: 'sig';
  alg: JwtAlgorithm;
}

interface VerificationKey {
  kid: string;
  alg: JwtAlgorithm;
  /** Parsed once: handing PEM text to jsonwebtoken would parse it on every token (~1 ms). */
  key: KeyObject;
  jwk: PublicJwk;
}

/** RFC 7638 JWK thumbprint: a kid that is the same on every instance with the same key. */
function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function describe(publicKey: KeyObject): VerificationKey {
  const raw = publicKey.export({ format: 'jwk' });
  const alg: JwtAlgorithm = raw.kty === 'EC' ? 'ES256' : 'RS256';
  const kid = thumbprint(raw);
  return {
    kid,
    alg,
    key: publicKey,
    jwk: { ...raw, kid, use: 'sig', alg },
  };
}

/** The signing key and every key still accepted (the current one plus JWT_PREVIOUS_PUBLIC_KEYS). */
@Injectable()
export class SigningKeys {
  /** The signing key, parsed once. */
  readonly privateKey: KeyObject;
  readonly current: VerificationKey;
  private readonly byKid = new Map<string, VerificationKey>();

  constructor(@Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>) {
    this.privateKey = createPrivateKey(cfg.jwtPrivateKeyPem);
    this.current = describe(createPublicKey(this.privateKey));
    this.byKid.set(this.current.kid, this.current);
    for (const pem of cfg.jwtPreviousPublicKeysPem) {
      const key = describe(createPublicKey(pem));
      if (!this.byKid.has(key.kid)) this.byKid.set(key.kid, key);
    }
  }

  find(kid: unknown): VerificationKey | undefined {
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.byKid.values()].map((k) => k.jwk) };
  }
}
