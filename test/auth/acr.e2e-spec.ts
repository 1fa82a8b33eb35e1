import { createTenant, createUser } from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmail,
  registeredEmailUser,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp, useAppWithSmtp } from '../support/test-app';
import { claimsOf } from '../support/jwt-claims';

/** API.md v1.1 §3: acr and auth_time; turning 2FA on ends password-only sessions; RFC 8414. */
describe('acr, auth_time and the 2FA policy of sessions (v1.1 §3)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), {
    env: { THROTTLE_USER_PER_MINUTE: '10000', THROTTLE_IP_PER_MINUTE: '100000' },
  });

  it('a password sign-in is acr "pwd"; a refresh keeps amr, acr and auth_time', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const before = Math.floor(Date.now() / 1000);
    const signIn = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const claims = claimsOf(signIn.body.accessToken);
    expect(claims).toEqual(expect.objectContaining({ amr: ['pwd'], acr: 'pwd' }));
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(claims.auth_time).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: signIn.body.refreshToken })
      .expect(200);
    const next = claimsOf(refreshed.body.accessToken);
    expect(next).toEqual(
      expect.objectContaining({ amr: ['pwd'], acr: 'pwd', auth_time: claims.auth_time }),
    );
    expect(next.iat).toBeGreaterThan(claims.iat as number);
  });

  it('turning 2FA on ends the sessions signed in with the password alone, and only those', async () => {
    const tenant = await createTenant(t);
    const twoFactorUser = await createUser(t, tenant);
    const channelId = await enableEmailTwoFactor(t, tenant, smtp);
    const strong = await registerByEmail(t, smtp, tenant, twoFactorUser, `s-${tenant.slug}@x.test`);
    expect(claimsOf(strong)).toEqual(expect.objectContaining({ amr: ['pwd', 'otp'], acr: '2fa' }));

    await putTwoFactorSettings(t, tenant, { enabled: false, channelId });
    const weakAdmin = await passwordLogin(
      t,
      tenant.slug,
      tenant.admin.username,
      tenant.admin.password,
    ).expect(200);
    const adminApi = (token: string) =>
      t.http().get(`/v1/tenants/${tenant.slug}/users`).set('Authorization', `Bearer ${token}`);
    await adminApi(weakAdmin.body.accessToken).expect(200);

    await putTwoFactorSettings(t, tenant, { enabled: true, channelId });
    // The password-only session is over: its access token reaches nothing, its refresh is refused.
    expectErrorResponse(await adminApi(weakAdmin.body.accessToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(
      await t.http().post('/v1/auth/refresh').send({ refreshToken: weakAdmin.body.refreshToken }),
      401,
      'UNAUTHENTICATED',
    );
    // The 2FA session is untouched.
    await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${strong}`).expect(200);
    const revoked = await auditEvents(t, tenant.slug, { type: 'SESSION_REVOKED' });
    expect(revoked).toHaveLength(1);
    expect(revoked[0].data).toEqual({
      reason: 'policy',
      sessionIds: [claimsOf(weakAdmin.body.accessToken).sid],
    });
    // Signing in again now takes the second factor.
    const again = await passwordLogin(t, tenant.slug, tenant.admin.username, tenant.admin.password);
    expect(again.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
  });

  it('a 2FA sign-in is acr "2fa" with auth_time of the verify', async () => {
    const { tenant, user, address } = await registeredEmailUser(t, smtp, {}, 'acr');
    const signIn = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const code = await smtp.codeFor(address, 2);
    const before = Math.floor(Date.now() / 1000);
    const ok = await mfaCall(t, signIn.body.mfaToken, 'verify', { code }).expect(200);
    const claims = claimsOf(ok.body.accessToken);
    expect(claims).toEqual(expect.objectContaining({ amr: ['pwd', 'otp'], acr: '2fa' }));
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
  });

  it.each(['oauth-authorization-server', 'openid-configuration'])(
    'GET /.well-known/%s names the issuer and an absolute jwks_uri',
    async (doc) => {
      const res = await t.http().get(`/.well-known/${doc}`).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          issuer: t.config.auth.issuer,
          jwks_uri: `${t.url}/.well-known/jwks.json`,
          acr_values_supported: ['pwd', '2fa', '2fa-remembered'],
        }),
      );
      // The URL it names serves the keys that verify our tokens.
      const jwks = await t.http().get(new URL(res.body.jwks_uri).pathname).expect(200);
      expect(jwks.body.keys.length).toBeGreaterThan(0);
    },
  );
});

describe('RFC 8414 metadata behind a proxy: PUBLIC_URL', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { PUBLIC_URL: 'https://auth.acme.test/' } });

  it('builds jwks_uri from PUBLIC_URL', async () => {
    const res = await t.http().get('/.well-known/openid-configuration').expect(200);
    expect(res.body.jwks_uri).toBe('https://auth.acme.test/.well-known/jwks.json');
  });
});
