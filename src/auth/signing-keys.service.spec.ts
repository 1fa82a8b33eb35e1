import { generateKeyPairSync } from 'node:crypto';
import { SigningKeys } from './signing-keys.service';

const ecPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

describe('SigningKeys', () => {
  it('derives the kid as the RFC 7638 thumbprint (the RFC example key)', () => {
    // RFC 7638 §3.1: the thumbprint of this RSA key is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const keys = new SigningKeys({ jwtPrivateKeyPem: pem, jwtPreviousPublicKeysPem: [] } as never);
    // Same code path, RSA member set: feed the RFC key as a "previous" public key.
    const { createPublicKey } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const rfcKey = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    const withPrevious = new SigningKeys({
      jwtPrivateKeyPem: pem,
      jwtPreviousPublicKeysPem: [rfcKey.export({ type: 'spki', format: 'pem' }).toString()],
    } as never);
    expect(withPrevious.find('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')?.alg).toBe('RS256');
    expect(withPrevious.jwks().keys).toHaveLength(2);
    expect(keys.jwks().keys).toHaveLength(1);
  });

  it('gives the same kid for the same key (every instance agrees) and publishes no private part', () => {
    const pem = ecPem();
    const a = new SigningKeys({ jwtPrivateKeyPem: pem, jwtPreviousPublicKeysPem: [] } as never);
    const b = new SigningKeys({ jwtPrivateKeyPem: pem, jwtPreviousPublicKeysPem: [] } as never);
    expect(a.current.kid).toBe(b.current.kid);
    const [jwk] = a.jwks().keys;
    expect(jwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: a.current.kid,
    });
    expect(jwk).not.toHaveProperty('d');
  });
});
