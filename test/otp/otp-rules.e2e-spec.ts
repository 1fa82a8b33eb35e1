import {
  createTenant,
  createUser,
  TestTenant,
  TestUser,
  updateUser,
  adminUserView,
} from '../factories/tenants.factory';
import {
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
import { auditEvents } from '../support/audit-events';
import { queryDb } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { TestApp, useAppWithSmtp } from '../support/test-app';

/** The OTP rules of API.md, each through HTTP with codes read from a real SMTP server. */
describe('OTP rules (email)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });

  /**
   * A tenant with email 2FA on, and a user registered at a fresh address. Without `otp`
   * overrides, the tenant keeps no resend cooldown.
   */
  const registered = (overrides: Omit<TwoFactorSettingsBody, 'enabled' | 'channelId'> = {}) =>
    registeredEmailUser(
      t,
      smtp,
      overrides.otp ? overrides : { ...overrides, otp: { resendCooldownSeconds: 0 } },
    );

  async function signIn(tenant: TestTenant, user: TestUser) {
    const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    return res.body as {
      status: string;
      mfaToken: string;
      delivery: string;
      expiresAt?: string;
      resendAvailableAt: string;
      resendsRemaining: number;
    };
  }

  const wrongCode = (code: string) => String((Number(code[0]) + 1) % 10) + code.slice(1);

  const events = (tenant: TestTenant, type: string) => auditEvents(t, tenant.slug, { type });

  it('rule 2: a code works once: not with the spent token, not in a new sign-in', async () => {
    const { tenant, user, address } = await registered();
    const s1 = await signIn(tenant, user);
    const code = await smtp.codeFor(address, 2);
    await mfaCall(t, s1.mfaToken, 'verify', { code }).expect(200);
    expectErrorResponse(await mfaCall(t, s1.mfaToken, 'verify', { code }), 401, 'UNAUTHENTICATED');
    // The success ended the cooldown: a new sign-in gets a new code, and the old one is wrong.
    const s2 = await signIn(tenant, user);
    expect(s2.delivery).toBe('SENT');
    expectErrorResponse(await mfaCall(t, s2.mfaToken, 'verify', { code }), 401, 'OTP_INVALID');
    await mfaCall(t, s2.mfaToken, 'verify', { code: await smtp.codeFor(address, 3) }).expect(200);
  });

  it('rule 3: two accounts on one address: the older code fails (superseded), the newer works', async () => {
    const tenant = await createTenant(t);
    const alice = await createUser(t, tenant);
    const bob = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp, { otp: { resendCooldownSeconds: 0 } });
    const shared = `shared-${tenant.slug}@acme.test`;
    await registerByEmail(t, smtp, tenant, alice, shared);
    await registerByEmail(t, smtp, tenant, bob, shared);
    const before = smtp.to(shared).length;
    const a = await signIn(tenant, alice);
    const codeA = await smtp.codeFor(shared, before + 1);
    const b = await signIn(tenant, bob);
    const codeB = await smtp.codeFor(shared, before + 2);
    expectErrorResponse(
      await mfaCall(t, a.mfaToken, 'verify', { code: codeA }),
      401,
      'OTP_INVALID',
    );
    // Verify compares with the caller's own challenge only: Bob's code is not Alice's.
    expectErrorResponse(
      await mfaCall(t, a.mfaToken, 'verify', { code: codeB }),
      401,
      'OTP_INVALID',
    );
    await mfaCall(t, b.mfaToken, 'verify', { code: codeB }).expect(200);
    const reasons = (await events(tenant, 'OTP_FAILED')).map((e) => e.data.reason);
    expect(reasons).toContain('superseded');
    // Admins see the shared address.
    const users = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/users?sharedEmail=true`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(users.body.items.map((u: { id: string }) => u.id).sort()).toEqual(
      [alice.id, bob.id].sort(),
    );
    expect(users.body.items[0].sharedEmail).toBe(true);
    expect(users.body.items[0].twoFactor.destination).toBe(shared);
  });

  it('rule 1/8: a code past its expiry answers OTP_EXPIRED, right or wrong, and does not count', async () => {
    const { tenant, user, address } = await registered();
    const s = await signIn(tenant, user);
    const code = await smtp.codeFor(address, 2);
    await queryDb(
      t.databaseUrl,
      `UPDATE otp_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND status = 'live'`,
      [user.id],
    );
    expectErrorResponse(await mfaCall(t, s.mfaToken, 'verify', { code }), 401, 'OTP_EXPIRED');
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) }),
      401,
      'OTP_EXPIRED',
    );
    const [state] = await queryDb<{ consecutive_failures: number }>(
      t.databaseUrl,
      'SELECT consecutive_failures FROM two_factor_state WHERE user_id = $1',
      [user.id],
    );
    expect(state.consecutive_failures).toBe(0);
    expect((await events(tenant, 'OTP_EXPIRED')).length).toBe(2);
  });

  it('rule 1: a code expires with the mfa token when that comes first, and ttlSeconds holds', async () => {
    const { tenant, user, address } = await registered({ otp: { ttlSeconds: 30 } });
    const before = Date.now();
    const s = await signIn(tenant, user);
    await smtp.codeFor(address, 2);
    const expiresAt = new Date(s.expiresAt!).getTime();
    expect(expiresAt - before).toBeGreaterThan(25_000);
    expect(expiresAt - before).toBeLessThanOrEqual(31_000);
  });

  it('rule 5: after maxAttempts wrong codes the code is dead, also for the right code, until a new one', async () => {
    const { tenant, user, address } = await registered({
      otp: { maxAttempts: 2, resendCooldownSeconds: 0 },
    });
    const s = await signIn(tenant, user);
    const code = await smtp.codeFor(address, 2);
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    await mfaCall(t, s.mfaToken, 'resend').expect(200);
    const fresh = await smtp.codeFor(address, 3);
    await mfaCall(t, s.mfaToken, 'verify', { code: fresh }).expect(200);
  });

  it('a code that is not exactly the digits is OTP_INVALID and counts as a wrong attempt', async () => {
    const { tenant, user, address } = await registered({ otp: { maxAttempts: 3 } });
    const s = await signIn(tenant, user);
    const code = await smtp.codeFor(address, 2);
    for (const bad of [` ${code}`, code.slice(1), `${code}0`])
      expectErrorResponse(
        await mfaCall(t, s.mfaToken, 'verify', { code: bad }),
        401,
        bad === `${code}0` ? 'OTP_ATTEMPTS_EXCEEDED' : 'OTP_INVALID',
      );
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    for (const body of [
      { code: 123456 },
      { code: '' },
      { code: '1'.repeat(17) },
      {},
      { code: '123456', x: 1 },
    ])
      expectErrorResponse(await mfaCall(t, s.mfaToken, 'verify', body), 400, 'VALIDATION_FAILED');
  });

  it('rule 4: login inside the cooldown answers ALREADY_SENT (the code stays valid) or COOLDOWN', async () => {
    const { tenant, user, address } = await registered({
      otp: { resendCooldownSeconds: 120, maxAttempts: 1 },
    });
    // (registered() signed in once: that success ended the cooldown.)
    const s1 = await signIn(tenant, user);
    expect(s1.delivery).toBe('SENT');
    const code = await smtp.codeFor(address, 2);
    const s2 = await signIn(tenant, user);
    expect(s2).toEqual(
      expect.objectContaining({
        delivery: 'ALREADY_SENT',
        expiresAt: s1.expiresAt,
        resendsRemaining: 5,
      }),
    );
    expect(smtp.to(address)).toHaveLength(2);
    const resend = await mfaCall(t, s2.mfaToken, 'resend');
    expectErrorResponse(resend, 429, 'OTP_RESEND_COOLDOWN');
    expect(resend.body.retryAfterSeconds).toBeGreaterThan(100);
    expect(Number(resend.headers['retry-after'])).toBe(resend.body.retryAfterSeconds);
    // Kill the code (maxAttempts 1): inside the cooldown, the next login says COOLDOWN.
    expectErrorResponse(
      await mfaCall(t, s2.mfaToken, 'verify', { code: wrongCode(code) }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    const s3 = await signIn(tenant, user);
    expect(s3.delivery).toBe('COOLDOWN');
    expect(s3.expiresAt).toBeUndefined();
    expect(new Date(s3.resendAvailableAt).getTime()).toBeGreaterThan(Date.now() + 100_000);
    expect(smtp.to(address)).toHaveLength(2);
    const refused = await events(tenant, 'OTP_RESEND_REFUSED');
    expect(refused[0].data.reason).toBe('cooldown');
  });

  it('rule 4: a successful verify ends the cooldown: the next sign-in gets a fresh code at once', async () => {
    const { tenant, user, address } = await registered({ otp: { resendCooldownSeconds: 3600 } });
    const s1 = await signIn(tenant, user);
    await mfaCall(t, s1.mfaToken, 'verify', { code: await smtp.codeFor(address, 2) }).expect(200);
    const s2 = await signIn(tenant, user);
    expect(s2.delivery).toBe('SENT');
    await mfaCall(t, s2.mfaToken, 'verify', { code: await smtp.codeFor(address, 3) }).expect(200);
  });

  it('rule 6: at most maxResendsPerLogin further codes per sign-in (OTP_RESEND_LIMIT)', async () => {
    const { tenant, user, address } = await registered({
      otp: { maxResendsPerLogin: 2, resendCooldownSeconds: 0 },
    });
    const s = await signIn(tenant, user);
    expect(s.resendsRemaining).toBe(2);
    expect((await mfaCall(t, s.mfaToken, 'resend').expect(200)).body.resendsRemaining).toBe(1);
    const last = await mfaCall(t, s.mfaToken, 'resend').expect(200);
    expect(last.body).toEqual({
      destination: expect.stringMatching(/^u\*\*\*@acme\.test$/),
      delivery: 'SENT',
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      resendsRemaining: 0,
    });
    expectErrorResponse(await mfaCall(t, s.mfaToken, 'resend'), 429, 'OTP_RESEND_LIMIT');
    expect(smtp.to(address)).toHaveLength(4);
    // Only the newest works.
    await smtp.waitFor(address, 4);
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code: await smtp.codeFor(address, 3) }),
      401,
      'OTP_INVALID',
    );
    await mfaCall(t, s.mfaToken, 'verify', { code: await smtp.codeFor(address, 4) }).expect(200);
  });

  it('rule 6: wrong codes lock the account across codes and sign-ins; the lock answers everywhere; reset and time lift it', async () => {
    const { tenant, user, address } = await registered({
      otp: { maxAttempts: 3, resendCooldownSeconds: 0 },
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 600 },
    });
    let wrong = 0;
    let answer = 200;
    while (wrong < 10) {
      const s = await signIn(tenant, user);
      const code = await smtp.codeFor(address);
      for (let i = 0; i < 3 && wrong < 10; i++) {
        const r = await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) });
        wrong++;
        answer = r.status;
        if (wrong < 10) expect(r.body.code).not.toBe('TWO_FACTOR_LOCKED');
        else {
          expectErrorResponse(r, 429, 'TWO_FACTOR_LOCKED');
          expect(r.body.retryAfterSeconds).toBeGreaterThan(590);
        }
      }
    }
    expect(answer).toBe(429);
    const mails = smtp.to(address).length;
    const login = await passwordLogin(t, tenant.slug, user.username, user.password);
    expectErrorResponse(login, 429, 'TWO_FACTOR_LOCKED');
    expect(Number(login.headers['retry-after'])).toBeGreaterThan(590);
    expect(smtp.to(address)).toHaveLength(mails);
    // The admin sees it.
    const view = await adminUserView(t, tenant, user.id);
    expect(view.twoFactor).toEqual(
      expect.objectContaining({ consecutiveFailures: 10, lockedUntil: expect.any(String) }),
    );
    expect((await events(tenant, 'TWO_FACTOR_LOCKED')).length).toBe(1);

    // Lifted by time: the count is kept, so the next wrong code locks again at once.
    await queryDb(
      t.databaseUrl,
      `UPDATE two_factor_state SET locked_until = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    const s = await signIn(tenant, user);
    const code = await smtp.codeFor(address);
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) }),
      429,
      'TWO_FACTOR_LOCKED',
    );
    expectErrorResponse(await mfaCall(t, s.mfaToken, 'verify', { code }), 429, 'TWO_FACTOR_LOCKED');
    expectErrorResponse(await mfaCall(t, s.mfaToken, 'resend'), 429, 'TWO_FACTOR_LOCKED');

    // Lifted by the admin unlock: the count is cleared, the right code works.
    await t
      .http()
      .delete(`/v1/tenants/${tenant.slug}/users/${user.id}/2fa/lock`)
      .set('X-Api-Key', t.platformKey)
      .expect(204);
    const s2 = await signIn(tenant, user);
    await mfaCall(t, s2.mfaToken, 'verify', { code: await smtp.codeFor(address) }).expect(200);
    const after = await adminUserView(t, tenant, user.id);
    expect(after.twoFactor).toEqual(
      expect.objectContaining({ consecutiveFailures: 0, lockedUntil: null }),
    );
  });

  it('rule 6: wrong passwords never count toward the 2FA lock', async () => {
    const { tenant, user } = await registered({
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 600 },
    });
    for (let i = 0; i < 12; i++)
      await passwordLogin(t, tenant.slug, user.username, `wrong-password-${i}`).expect(401);
    const [state] = await queryDb<{ consecutive_failures: number; locked_until: Date | null }>(
      t.databaseUrl,
      'SELECT consecutive_failures, locked_until FROM two_factor_state WHERE user_id = $1',
      [user.id],
    );
    expect(state).toEqual({ consecutive_failures: 0, locked_until: null });
  });

  it('the admin 2FA reset removes the registration and the lock: the next login registers again', async () => {
    const { tenant, user, address } = await registered();
    const pending = await signIn(tenant, user);
    // Locked (as by wrong codes): the reset lifts it too.
    await queryDb(
      t.databaseUrl,
      `UPDATE two_factor_state SET consecutive_failures = 50, locked_until = now() + interval '1 hour' WHERE user_id = $1`,
      [user.id],
    );
    expectErrorResponse(
      await passwordLogin(t, tenant.slug, user.username, user.password),
      429,
      'TWO_FACTOR_LOCKED',
    );
    await resetTwoFactor(t, tenant, user.id);
    // The sign-in begun before the reset is over.
    expectErrorResponse(
      await mfaCall(t, pending.mfaToken, 'verify', { code: await smtp.codeFor(address) }),
      401,
      'UNAUTHENTICATED',
    );
    const s = await signIn(tenant, user);
    expect(s.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    const view = await adminUserView(t, tenant, user.id);
    expect(view.twoFactor).toEqual(
      expect.objectContaining({ registered: false, destination: null }),
    );
    expect((await events(tenant, 'TWO_FACTOR_RESET'))[0].data).toEqual({ channelTypes: ['email'] });
    await t
      .http()
      .delete(`/v1/tenants/${tenant.slug}/users/${crypto.randomUUID()}/2fa`)
      .set('X-Api-Key', t.platformKey)
      .expect(404);
  });

  it('register: already registered → 409; a second register in one sign-in counts as a resend', async () => {
    const { tenant, user } = await registered();
    const s = await signIn(tenant, user);
    expectErrorResponse(
      await mfaCall(t, s.mfaToken, 'register', { destination: 'x@acme.test' }),
      409,
      'CONFLICT',
    );

    const other = await createUser(t, tenant);
    await putTwoFactorSettings(t, tenant, {
      enabled: true,
      channelId: await activeChannelId(t, tenant),
      otp: { maxResendsPerLogin: 1, resendCooldownSeconds: 0 },
    });
    const r = await signIn(tenant, other);
    expect(r.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    const first = await mfaCall(t, r.mfaToken, 'register', { email: 'first@acme.test' }).expect(
      200,
    );
    expect(first.body.resendsRemaining).toBe(1);
    const second = await mfaCall(t, r.mfaToken, 'register', {
      destination: 'second@acme.test',
    }).expect(200);
    expect(second.body.resendsRemaining).toBe(0);
    expectErrorResponse(
      await mfaCall(t, r.mfaToken, 'register', { destination: 'third@acme.test' }),
      429,
      'OTP_RESEND_LIMIT',
    );
    // The first address's code is dead; the second confirms the second address.
    expectErrorResponse(
      await mfaCall(t, r.mfaToken, 'verify', { code: await smtp.codeFor('first@acme.test') }),
      401,
      'OTP_INVALID',
    );
    await mfaCall(t, r.mfaToken, 'verify', { code: await smtp.codeFor('second@acme.test') }).expect(
      200,
    );
    const view = await adminUserView(t, tenant, other.id);
    expect(view.twoFactor.destination).toBe('second@acme.test');
    // It also filled the empty contact email.
    expect(view.email).toBe('second@acme.test');
    for (const body of [
      {},
      { destination: 'not-an-email' },
      { destination: 'a@b.test', email: 'c@d.test' },
      { phone: '1' },
    ])
      expectErrorResponse(
        await mfaCall(
          t,
          (await signIn(tenant, await createUser(t, tenant))).mfaToken,
          'register',
          body,
        ),
        400,
        'VALIDATION_FAILED',
      );
  });

  it('tokens: an mfa token is refused on /me and admin routes; an access token on /2fa/*', async () => {
    const { tenant, user, address } = await registered();
    const s = await signIn(tenant, user);
    expectErrorResponse(
      await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${s.mfaToken}`),
      401,
      'UNAUTHENTICATED',
    );
    expectErrorResponse(
      await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/users`)
        .set('Authorization', `Bearer ${s.mfaToken}`),
      401,
      'UNAUTHENTICATED',
    );
    const ok = await mfaCall(t, s.mfaToken, 'verify', { code: await smtp.codeFor(address) }).expect(
      200,
    );
    for (const path of ['verify', 'resend', 'register'] as const)
      expectErrorResponse(
        await mfaCall(t, ok.body.accessToken, path, { code: '123456' }),
        401,
        'UNAUTHENTICATED',
      );
    const header = JSON.parse(Buffer.from(s.mfaToken.split('.')[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(s.mfaToken.split('.')[1], 'base64url').toString());
    expect(header.typ).toBe('mfa+jwt');
    expect(claims.aud).toBe('efcx:mfa');
    expect(claims.roles).toBeUndefined();
  });

  it('an mfa token stops working when the user is disabled or gets a new password after the login', async () => {
    const { tenant, user } = await registered();
    const a = await signIn(tenant, user);
    await updateUser(t, tenant, user.id, { password: 'another-long-password' });
    expectErrorResponse(await mfaCall(t, a.mfaToken, 'resend'), 401, 'UNAUTHENTICATED');
    const b = await signIn(tenant, { ...user, password: 'another-long-password' });
    await updateUser(t, tenant, user.id, { disabled: true });
    expectErrorResponse(
      await mfaCall(t, b.mfaToken, 'verify', { code: '123456' }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('audit: every step is recorded and no event holds a code', async () => {
    const { tenant, user, address } = await registered();
    const s = await signIn(tenant, user);
    const code = await smtp.codeFor(address);
    await mfaCall(t, s.mfaToken, 'verify', { code: wrongCode(code) }).expect(401);
    await mfaCall(t, s.mfaToken, 'verify', { code }).expect(200);
    const all = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/audit-events?limit=200`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    const types = all.body.items.map((e: { type: string }) => e.type);
    for (const type of [
      'OTP_SENT',
      'OTP_FAILED',
      'OTP_VERIFIED',
      'LOGIN_SUCCEEDED',
      'TWO_FACTOR_REGISTERED',
      'SETTINGS_CHANGED',
      'CHANNEL_CHANGED',
    ])
      expect(types).toContain(type);
    const text = JSON.stringify(all.body);
    for (const mail of smtp.to(address))
      expect(text).not.toMatch(new RegExp(`\\b${/code is (\d+)/.exec(mail.text)![1]}\\b`));
  });
});
