import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  JsonWebKey,
  KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import {
  adminToken,
  createTenant,
  createUser,
  login,
  TestUser,
  updateUser,
  disableTenant,
} from '../factories/tenants.factory';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';

const b64json = (value: unknown) =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

/** A JWS built by hand: ES256 with the raw r||s signature of RFC 7518 §3.4. */
function signEs256(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  privateKey: KeyObject | string,
): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** RFC 7638 thumbprint of an EC public key (required members, lexicographic order). */
function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
}

function newEcKey(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, kid: thumbprint(publicKey) };
}

/**
 * Valid access-token claims re-stamped from a genuine token of the same app (so any private
 * claim the service adds is carried along), overridable one by one.
 */
function claimsFrom(token: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    ...decodePart(token, 1),
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
    ...overrides,
  };
}

const me = (t: TestApp, token: string) =>
  t.http().get('/v1/auth/me').set('Authorization', `Bearer ${token}`);

interface Jwk extends JsonWebKey {
  kid: string;
}

describe('Access tokens', () => {
  let t: TestApp;
  let serviceKid: string;
  const header = () => ({ alg: 'ES256', typ: 'at+jwt', kid: serviceKid });
  const serviceSign = (claims: Record<string, unknown>, h: Record<string, unknown> = header()) =>
    signEs256(h, claims, t.config.auth.jwtPrivateKeyPem);

  useTestApp((app) => (t = app));
  beforeAll(async () => {
    serviceKid = thumbprint(createPublicKey(createPrivateKey(t.config.auth.jwtPrivateKeyPem)));
  });

  async function signedInUser(roles?: string[]) {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant, roles ? { roles } : {});
    const token = await login(t, tenant.slug, user.username, user.password);
    return { tenant, user, token };
  }

  it('has an RFC 9068 header and the claims of API.md', async () => {
    const { tenant, user, token } = await signedInUser(['agent', 'quality-manager']);
    const before = Math.floor(Date.now() / 1000);
    expect(decodePart(token, 0)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: serviceKid });
    const claims = decodePart(token, 1);
    // API.md's claims; a private claim of the service's own (e.g. a password version) may follow.
    expect(claims).toEqual(
      expect.objectContaining({
        iss: 'efcx-2fa',
        aud: 'efcx',
        sub: user.id,
        tid: tenant.slug,
        roles: ['agent', 'quality-manager'],
        amr: ['pwd'],
        sid: expect.any(String),
        iat: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      }),
    );
    expect(claims.exp).toBe((claims.iat as number) + 900);
    expect(Math.abs((claims.iat as number) - before)).toBeLessThanOrEqual(5);
    expect(String(claims.sid).length).toBeGreaterThan(0);
    expect(String(claims.jti).length).toBeGreaterThan(0);

    const second = await login(t, tenant.slug, user.username, user.password);
    expect(decodePart(second, 1).jti).not.toBe(claims.jti);
    expect(decodePart(second, 1).sid).not.toBe(claims.sid);
  });

  it('verifies against /.well-known/jwks.json with plain node:crypto', async () => {
    const { token } = await signedInUser();
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    const keys = res.body.keys as Jwk[];
    expect(keys).toHaveLength(1);
    const kid = decodePart(token, 0).kid;
    const jwk = keys.find((k) => k.kid === kid);
    expect(jwk).toBeDefined();
    expect(jwk).toEqual(
      expect.objectContaining({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' }),
    );
    expect(jwk!.d).toBeUndefined();

    const key = createPublicKey({ key: jwk!, format: 'jwk' });
    expect(thumbprint(key)).toBe(kid);
    const [h, p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    expect(sig).toHaveLength(64);
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, sig);
    expect(ok).toBe(true);
    const forged = verify(
      'sha256',
      Buffer.from(`${h}.${b64json({ ...decodePart(token, 1), roles: ['admin'] })}`),
      { key, dsaEncoding: 'ieee-p1363' },
      sig,
    );
    expect(forged).toBe(false);
  });

  it('accepts a hand-built token signed with the service key (control for the attacks below)', async () => {
    const { tenant, user, token } = await signedInUser();
    const claims = claimsFrom(token);
    expect(claims).toEqual(
      expect.objectContaining({ iss: 'efcx-2fa', aud: 'efcx', sub: user.id, tid: tenant.slug }),
    );
    const res = await me(t, serviceSign(claims)).expect(200);
    expect(res.body.id).toBe(user.id);
  });

  it('refuses a validly signed token whose session does not exist or is not a session id', async () => {
    const { token } = await signedInUser();
    for (const sid of [randomUUID(), 'not-a-uuid', undefined, 42]) {
      expectErrorResponse(
        await me(t, serviceSign(claimsFrom(token, { sid }))),
        401,
        'UNAUTHENTICATED',
      );
    }
  });

  describe('refuses forged, altered or wrong-stage tokens with 401 UNAUTHENTICATED', () => {
    let slug: string;
    let other: TestUser;
    let foreign: TestUser;
    let token: string;
    beforeAll(async () => {
      const s = await signedInUser();
      slug = s.tenant.slug;
      token = s.token;
      other = await createUser(t, s.tenant, { roles: ['admin'] });
      foreign = await createUser(t, await createTenant(t), { roles: ['admin'] });
    });

    const attacks: Array<[string, () => string]> = [
      [
        'alg none',
        () =>
          `${b64json({ alg: 'none', typ: 'at+jwt', kid: serviceKid })}.${b64json(claimsFrom(token))}.`,
      ],
      [
        'alg none with the kid omitted',
        () => `${b64json({ alg: 'none', typ: 'at+jwt' })}.${b64json(claimsFrom(token))}.`,
      ],
      [
        "HS256 keyed with the service's public key PEM",
        () => {
          const pem = createPublicKey(createPrivateKey(t.config.auth.jwtPrivateKeyPem))
            .export({ type: 'spki', format: 'pem' })
            .toString();
          const input = `${b64json({ alg: 'HS256', typ: 'at+jwt', kid: serviceKid })}.${b64json(claimsFrom(token))}`;
          return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
        },
      ],
      [
        "another EC key presenting the service's kid",
        () => signEs256(header(), claimsFrom(token), newEcKey().privateKey),
      ],
      [
        'a tampered roles claim',
        () => {
          const [h, , s] = token.split('.');
          return `${h}.${b64json({ ...decodePart(token, 1), roles: ['admin'] })}.${s}`;
        },
      ],
      [
        'a tampered sub claim',
        () => {
          const [h, , s] = token.split('.');
          return `${h}.${b64json({ ...decodePart(token, 1), sub: other.id })}.${s}`;
        },
      ],
      ['a truncated signature', () => token.slice(0, token.length - 4)],
      [
        'an expired token signed with the service key',
        () => {
          const now = Math.floor(Date.now() / 1000);
          return serviceSign(claimsFrom(token, { iat: now - 1000, exp: now - 100 }));
        },
      ],
      [
        'typ mfa+jwt signed with the service key',
        () => serviceSign(claimsFrom(token), { alg: 'ES256', typ: 'mfa+jwt', kid: serviceKid }),
      ],
      [
        'no typ signed with the service key',
        () => serviceSign(claimsFrom(token), { alg: 'ES256', kid: serviceKid }),
      ],
      ['the mfa audience', () => serviceSign(claimsFrom(token, { aud: 'efcx:mfa' }))],
      ['a wrong audience', () => serviceSign(claimsFrom(token, { aud: 'another-service' }))],
      ['a wrong issuer', () => serviceSign(claimsFrom(token, { iss: 'evil-issuer' }))],
      ['a sub that is not a uuid', () => serviceSign(claimsFrom(token, { sub: 'admin' }))],
      ['a sub of no user', () => serviceSign(claimsFrom(token, { sub: randomUUID() }))],
      [
        'a sub of a user of another tenant',
        () => serviceSign(claimsFrom(token, { sub: foreign.id })),
      ],
      ['a tid of no tenant', () => serviceSign(claimsFrom(token, { tid: `${slug}-gone` }))],
    ];

    it.each(attacks)('%s', async (_name, build) => {
      expectErrorResponse(await me(t, build()), 401, 'UNAUTHENTICATED');
    });

    it('the genuine token still works (so the refusals above are the attacks, not the user)', async () => {
      await me(t, token).expect(200);
    });
  });

  it('stops working once the user or the tenant is disabled', async () => {
    const { tenant, user, token } = await signedInUser();
    const colleague = await createUser(t, tenant);
    const colleagueToken = await login(t, tenant.slug, colleague.username, colleague.password);
    await updateUser(t, tenant, user.id, { disabled: true });
    expectErrorResponse(await me(t, token), 401, 'UNAUTHENTICATED');
    await me(t, colleagueToken).expect(200);

    await disableTenant(t, tenant);
    expectErrorResponse(await me(t, colleagueToken), 401, 'UNAUTHENTICATED');
  });

  it('stops working once the password is changed (API.md: changing it ends the sessions)', async () => {
    const { tenant, user, token } = await signedInUser();
    await updateUser(t, tenant, user.id, { password: `${user.password}-new` });
    expectErrorResponse(await me(t, token), 401, 'UNAUTHENTICATED');
  });

  it('admin rights follow the stored roles, not the token', async () => {
    const tenant = await createTenant(t);
    const boss = await createUser(t, tenant, { roles: ['admin'] });
    const token = await login(t, tenant.slug, boss.username, boss.password);
    const auditPath = `/v1/tenants/${tenant.slug}/audit-events`;
    await t.http().get(auditPath).set('Authorization', `Bearer ${token}`).expect(200);
    await updateUser(t, tenant, boss.id, { roles: ['agent'] });
    const res = await t.http().get(auditPath).set('Authorization', `Bearer ${token}`);
    expectErrorResponse(res, 403, 'FORBIDDEN');
  });

  it('refuses a valid token whose user was deleted', async () => {
    const { tenant, user, token } = await signedInUser();
    await me(t, token).expect(200);
    await t
      .http()
      .delete(`/v1/tenants/${tenant.slug}/users/${user.id}`)
      .set('X-Api-Key', t.platformKey)
      .expect(204);
    expectErrorResponse(await me(t, token), 401, 'UNAUTHENTICATED');
  });

  it("refuses tenant A's admin token on tenant B's admin routes with 403 FORBIDDEN", async () => {
    const a = await createTenant(t);
    const b = await createTenant(t);
    const token = await adminToken(t, a);
    await t
      .http()
      .get(`/v1/tenants/${a.slug}/audit-events`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const res = await t
      .http()
      .get(`/v1/tenants/${b.slug}/audit-events`)
      .set('Authorization', `Bearer ${token}`);
    expectErrorResponse(res, 403, 'FORBIDDEN');
  });
});

describe('Access tokens during a key rotation (JWT_PREVIOUS_PUBLIC_KEYS)', () => {
  const previous = newEcKey();
  let t: TestApp;
  useTestApp((app) => (t = app), {
    env: {
      JWT_PREVIOUS_PUBLIC_KEYS: previous.publicKey
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    },
  });

  it('lists the current and the previous key in the JWKS', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    const keys = res.body.keys as Jwk[];
    expect(keys).toHaveLength(2);
    const currentKid = thumbprint(
      createPublicKey(createPrivateKey(t.config.auth.jwtPrivateKeyPem)),
    );
    expect(keys.map((k) => k.kid).sort()).toEqual([currentKid, previous.kid].sort());
    const listed = keys.find((k) => k.kid === previous.kid)!;
    expect(listed).toEqual(
      expect.objectContaining({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' }),
    );
    expect(listed.d).toBeUndefined();
    const jwk = previous.publicKey.export({ format: 'jwk' }) as JsonWebKey;
    expect({ x: listed.x, y: listed.y }).toEqual({ x: jwk.x, y: jwk.y });
  });

  it('accepts a token signed with the previous key and refuses one signed by an unknown key', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const genuine = await login(t, tenant.slug, user.username, user.password);
    const claims = claimsFrom(genuine);

    const old = signEs256(
      { alg: 'ES256', typ: 'at+jwt', kid: previous.kid },
      claims,
      previous.privateKey,
    );
    const res = await me(t, old).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ id: user.id, tenant: tenant.slug }));

    const stranger = newEcKey();
    const unknown = signEs256(
      { alg: 'ES256', typ: 'at+jwt', kid: stranger.kid },
      claims,
      stranger.privateKey,
    );
    expectErrorResponse(await me(t, unknown), 401, 'UNAUTHENTICATED');

    const impostor = signEs256(
      { alg: 'ES256', typ: 'at+jwt', kid: previous.kid },
      claims,
      stranger.privateKey,
    );
    expectErrorResponse(await me(t, impostor), 401, 'UNAUTHENTICATED');

    // Tokens of the current key keep working alongside.
    await me(t, genuine).expect(200);
  });
});
