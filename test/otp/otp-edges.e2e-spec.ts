import { createTenant, createUser } from '../factories/tenants.factory';
import {
  createEmailChannel,
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmail,
  registeredEmailUser,
  TwoFactorSettingsBody,
  activeChannelId,
  resetTwoFactor,
} from '../factories/two-factor.factory';
import { queryDb } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { TestApp, useAppWithSmtp } from '../support/test-app';

/** Edges of the rules: the first code of a sign-in, the mfa token's own life, what ends a sign-in. */
describe('OTP edges', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), {
    env: { THROTTLE_USER_PER_MINUTE: '10000', MFA_TOKEN_TTL_SECONDS: '120' },
  });

  const setup = (otp: TwoFactorSettingsBody['otp'] = {}) =>
    registeredEmailUser(t, smtp, { otp }, 'edge');

  it('rule 1: a code never outlives the mfa token (MFA_TOKEN_TTL_SECONDS 120 < ttlSeconds 300)', async () => {
    const { tenant, user } = await setup({ ttlSeconds: 300 });
    const before = Date.now();
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(s.body.expiresIn).toBe(120);
    const expiresAt = new Date(s.body.expiresAt).getTime();
    expect(expiresAt - before).toBeLessThanOrEqual(121_000);
    expect(expiresAt - before).toBeGreaterThan(110_000);
  });

  it('rule 6: a login answered ALREADY_SENT has had its first code: with maxResendsPerLogin 0 no resend', async () => {
    const { tenant, user, address } = await setup({
      resendCooldownSeconds: 0,
      maxResendsPerLogin: 0,
    });
    const first = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(first.body.delivery).toBe('SENT');
    await putTwoFactorSettings(t, tenant, {
      enabled: true,
      channelId: await activeChannelId(t, tenant),
      otp: { resendCooldownSeconds: 600, maxResendsPerLogin: 0 },
    });
    const second = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(second.body).toEqual(
      expect.objectContaining({ delivery: 'ALREADY_SENT', resendsRemaining: 0 }),
    );
    const mails = smtp.to(address).length;
    // Even once the cooldown is over, the sign-in has had its one code.
    await queryDb(
      t.databaseUrl,
      `UPDATE two_factor_state SET last_delivery_at = now() - interval '1 hour' WHERE user_id = $1`,
      [user.id],
    );
    expectErrorResponse(await mfaCall(t, second.body.mfaToken, 'resend'), 429, 'OTP_RESEND_LIMIT');
    expect(smtp.to(address)).toHaveLength(mails);
  });

  it('the right code sent again after its success does not count toward the lock', async () => {
    const { tenant, user, address } = await setup();
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const code = await smtp.codeFor(address);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => mfaCall(t, s.body.mfaToken, 'verify', { code })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const [state] = await queryDb<{ consecutive_failures: number }>(
      t.databaseUrl,
      'SELECT consecutive_failures FROM two_factor_state WHERE user_id = $1',
      [user.id],
    );
    expect(state.consecutive_failures).toBe(0);
  });

  it('register: refused while the account is locked; a null address is 400', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp);
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    for (const body of [{ destination: null }, { email: null }])
      expectErrorResponse(
        await mfaCall(t, s.body.mfaToken, 'register', body),
        400,
        'VALIDATION_FAILED',
      );
    await queryDb(
      t.databaseUrl,
      `INSERT INTO two_factor_state (user_id, tenant_id, consecutive_failures, locked_until)
       VALUES ($1, $2, 50, now() + interval '10 minutes')
       ON CONFLICT (user_id) DO UPDATE SET consecutive_failures = 50, locked_until = now() + interval '10 minutes'`,
      [user.id, tenant.id],
    );
    const locked = await mfaCall(t, s.body.mfaToken, 'register', { destination: 'l@acme.test' });
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
    expect(smtp.to('l@acme.test')).toHaveLength(0);
  });

  it('a sign-in whose channel was switched away and deleted is over (401), never a 404', async () => {
    const { tenant, user, channelId } = await setup();
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const other = await createEmailChannel(t, tenant, smtp);
    await putTwoFactorSettings(t, tenant, { enabled: true, channelId: other });
    await t
      .http()
      .delete(`/v1/tenants/${tenant.slug}/channels/${channelId}`)
      .set('X-Api-Key', t.platformKey)
      .expect(204);
    expectErrorResponse(await mfaCall(t, s.body.mfaToken, 'resend'), 401, 'UNAUTHENTICATED');
  });

  it('an access token stops working after the admin 2FA reset', async () => {
    const { tenant, user, registered } = await registeredEmailUser(t, smtp, {}, 'reset');
    const token = registered.accessToken;
    await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await resetTwoFactor(t, tenant, user.id);
    expectErrorResponse(
      await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${token}`),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('sharedEmail holds while 2FA is off', async () => {
    const tenant = await createTenant(t);
    const [a, b] = [await createUser(t, tenant), await createUser(t, tenant)];
    await enableEmailTwoFactor(t, tenant, smtp);
    const shared = `both-${tenant.slug}@acme.test`;
    await registerByEmail(t, smtp, tenant, a, shared);
    await registerByEmail(t, smtp, tenant, b, shared);
    await putTwoFactorSettings(t, tenant, { enabled: false, channelId: null });
    const list = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/users?sharedEmail=true`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(list.body.items.map((u: { id: string }) => u.id).sort()).toEqual([a.id, b.id].sort());
    expect(list.body.items.every((u: { sharedEmail: boolean }) => u.sharedEmail)).toBe(true);
  });
});

describe('ALREADY_SENT speaks only of delivered codes', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });

  it('parallel logins while the SMTP server refuses every mail: FAILED or COOLDOWN, never ALREADY_SENT', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 120 } },
      'refused',
    );
    smtp.rejectWith = 550;
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          passwordLogin(t, tenant.slug, user.username, user.password),
        ),
      );
      const deliveries = results.map((r) => r.body.delivery as string);
      expect(deliveries.filter((d) => d === 'ALREADY_SENT')).toEqual([]);
      expect(deliveries).toContain('FAILED');
    } finally {
      smtp.rejectWith = null;
    }
    expect(smtp.to(address)).toHaveLength(1);
    // SMTP accepts again: the failures started no cooldown, the next login sends at once.
    const ok = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(ok.body.delivery).toBe('SENT');
  });
});
