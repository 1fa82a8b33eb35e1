import { createTenant, createUser } from '../factories/tenants.factory';
import { enableEmailTwoFactor, mfaCall, passwordLogin } from '../factories/two-factor.factory';
import { expectTooManyRequests } from '../support/http-assertions';
import { useTestApp, TestApp, useAppWithSmtp } from '../support/test-app';

describe('THROTTLE_IP_PER_MINUTE on /v1/auth/*', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), {
    env: { THROTTLE_IP_PER_MINUTE: '5', THROTTLE_USER_PER_MINUTE: '1000' },
  });

  it('counts every auth route together per IP, answers 429 TOO_MANY_REQUESTS with Retry-After, and leaves other routes alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await t.http().post('/v1/auth/login').send({ tenant: 'x', username: 'y', password: 'z' }))
          .status,
      );
      statuses.push((await t.http().get('/v1/auth/me')).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const res = await passwordLogin(t, 'x', 'y', 'z').expect(429);
    const retryAfter = expectTooManyRequests(res);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Not an auth route: not throttled.
    await t.http().get('/health/live').expect(200);
    await t.http().get('/v1/tenants').set('X-Api-Key', t.platformKey).expect(200);
  });
});

describe('THROTTLE_USER_PER_MINUTE on failed passwords', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '3' } });

  it('after N wrong passwords for one account from one IP, even the right one waits; others are unaffected', async () => {
    const tenant = await createTenant(t);
    const victim = await createUser(t, tenant);
    const bystander = await createUser(t, tenant);
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post('/v1/auth/login')
        .send({ tenant: tenant.slug, username: victim.username, password: `wrong-${i}-password` })
        .expect(401);
    }
    const blocked = await t
      .http()
      .post('/v1/auth/login')
      .send({
        tenant: tenant.slug,
        username: victim.username.toUpperCase(),
        password: victim.password,
      })
      .expect(429);
    expect(blocked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await passwordLogin(t, tenant.slug, bystander.username, bystander.password).expect(200);
  });

  it('counts unknown usernames the same way, so the limit reveals nothing', async () => {
    const tenant = await createTenant(t);
    for (let i = 0; i < 3; i++) {
      await passwordLogin(t, tenant.slug, 'ghost', 'whatever-pass').expect(401);
    }
    await passwordLogin(t, tenant.slug, 'ghost', 'whatever-pass').expect(429);
  });

  it('never counts successful logins', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    for (let i = 0; i < 5; i++) {
      await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    }
  });
});

describe('THROTTLE_USER_PER_MINUTE on the 2FA calls of one account', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '4' } });

  it('counts verify, resend and register by the mfa token subject, across sign-ins', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp, {
      otp: { resendCooldownSeconds: 0, maxAttempts: 20 },
    });
    const first = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(t, first.body.mfaToken, 'register', { destination: 'limit@acme.test' }).expect(
      200,
    );
    await mfaCall(t, first.body.mfaToken, 'verify', { code: '000000' }).expect(401);
    const second = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(t, second.body.mfaToken, 'verify', { code: '000000' }).expect(401);
    await mfaCall(t, second.body.mfaToken, 'register', { destination: 'limit@acme.test' }).expect(
      200,
    );
    const limited = await mfaCall(t, second.body.mfaToken, 'verify', { code: '000000' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not affected.
    const other = await createUser(t, tenant);
    const o = await passwordLogin(t, tenant.slug, other.username, other.password).expect(200);
    await mfaCall(t, o.body.mfaToken, 'register', { destination: 'other@acme.test' }).expect(200);
  });
});
