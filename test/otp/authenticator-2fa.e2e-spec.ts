import {
  createTenant,
  createUser,
  TestTenant,
  TestUser,
  adminUserView,
} from '../factories/tenants.factory';
import {
  createChannel,
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmailAnswer,
  registeredEmailUser,
  activeChannelId,
  resetTwoFactor,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { dumpDatabase } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import {
  awayFromStepEdge,
  base32Decode,
  independentTotp,
  parseOtpauth,
} from '../support/independent-totp';
import { useTestApp, TestApp, useAppWithSmtp } from '../support/test-app';

interface AppConfig {
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  periodSeconds: number;
  window: number;
}

/** In a pending sign-in: register the app, then verify its first code (SHA1, 6 digits, 30 s). */
async function bindApp(t: TestApp, mfaToken: string): Promise<void> {
  const reg = await mfaCall(t, mfaToken, 'register', {}).expect(200);
  const opts = { algorithm: 'SHA1' as const, digits: 6, period: 30 };
  await mfaCall(t, mfaToken, 'verify', {
    code: independentTotp(base32Decode(reg.body.secret), opts),
  }).expect(200);
}

describe('authenticator-app 2FA (TOTP)', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });

  async function authenticatorTenant(cfg: AppConfig, otp: Record<string, number> = {}) {
    const tenant = await createTenant(t);
    const channelId = await createChannel(t, tenant, {
      type: 'authenticator',
      name: 'App',
      config: { issuer: 'Acme EFCX', ...cfg },
    });
    await putTwoFactorSettings(t, tenant, { enabled: true, channelId, otp });
    return { tenant, channelId };
  }

  /** Registers through HTTP; returns the secret as the app would read it from the QR code. */
  async function enroll(tenant: TestTenant, user: TestUser) {
    await awayFromStepEdge(30, 5);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      mfaToken: expect.any(String),
      channel: 'authenticator',
      expiresIn: 600,
    });
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {}).expect(200);
    expect(reg.body).toEqual({
      status: 'TWO_FACTOR_REQUIRED',
      channel: 'authenticator',
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//),
      qrCodeDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
    });
    const uri = parseOtpauth(reg.body.otpauthUri);
    expect(uri.secret).toBe(reg.body.secret);
    expect(base32Decode(uri.secret).length).toBeGreaterThanOrEqual(20);
    return { mfaToken: login.body.mfaToken as string, uri, secret: base32Decode(uri.secret) };
  }

  it.each([
    { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 },
    { algorithm: 'SHA256', digits: 8, periodSeconds: 60, window: 1 },
    { algorithm: 'SHA512', digits: 6, periodSeconds: 30, window: 1 },
  ] as AppConfig[])(
    'registers and signs in with $algorithm/$digits/$periodSeconds',
    async (cfg) => {
      const { tenant } = await authenticatorTenant(cfg);
      const user = await createUser(t, tenant);
      const { mfaToken, uri, secret } = await enroll(tenant, user);
      expect(uri.label).toBe(`Acme EFCX:${user.username}`);
      expect(uri).toEqual(
        expect.objectContaining({
          issuer: 'Acme EFCX',
          algorithm: cfg.algorithm,
          digits: cfg.digits,
          period: cfg.periodSeconds,
        }),
      );
      const opts = { algorithm: cfg.algorithm, digits: cfg.digits, period: cfg.periodSeconds };
      const ok = await mfaCall(t, mfaToken, 'verify', {
        code: independentTotp(secret, opts),
      }).expect(200);
      expect(ok.body.status).toBe('AUTHENTICATED');

      // Next sign-in: no registration, a code from the app (the next step: the last one is spent).
      const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      expect(login.body).toEqual({
        status: 'TWO_FACTOR_REQUIRED',
        mfaToken: expect.any(String),
        channel: 'authenticator',
        expiresIn: 600,
      });
      const next = independentTotp(secret, opts, Date.now() / 1000 + cfg.periodSeconds);
      await mfaCall(t, login.body.mfaToken, 'verify', { code: next }).expect(200);
      expectErrorResponse(await mfaCall(t, login.body.mfaToken, 'resend'), 401, 'UNAUTHENTICATED');
    },
  );

  it('refuses a replayed step, also two parallel verifies of one code: exactly one success', async () => {
    const cfg: AppConfig = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 };
    const { tenant } = await authenticatorTenant(cfg, { maxAttempts: 20 });
    const user = await createUser(t, tenant);
    const { mfaToken, secret } = await enroll(tenant, user);
    const opts = { algorithm: cfg.algorithm, digits: 6, period: 30 };
    await mfaCall(t, mfaToken, 'verify', {
      code: independentTotp(secret, opts, Date.now() / 1000 - 30),
    }).expect(200);

    // The same step again, in a new sign-in: refused (replay), and the current one works once.
    const a = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expectErrorResponse(
      await mfaCall(t, a.body.mfaToken, 'verify', {
        code: independentTotp(secret, opts, Date.now() / 1000 - 30),
      }),
      401,
      'OTP_INVALID',
    );
    const b = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const code = independentTotp(secret, opts);
    const results = await Promise.all(
      [a.body.mfaToken, b.body.mfaToken, a.body.mfaToken, b.body.mfaToken].map((token: string) =>
        mfaCall(t, token, 'verify', { code }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const failed = await auditEvents(t, tenant.slug, { type: 'OTP_FAILED' });
    expect(failed.map((e) => e.data.reason)).toContain('replay');
  });

  it('accepts the previous step with window 1 and refuses it with window 0', async () => {
    for (const window of [1, 0]) {
      const cfg: AppConfig = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window };
      const { tenant } = await authenticatorTenant(cfg);
      const user = await createUser(t, tenant);
      const { mfaToken, secret } = await enroll(tenant, user);
      const previous = independentTotp(
        secret,
        { algorithm: 'SHA1', digits: 6, period: 30 },
        Date.now() / 1000 - 30,
      );
      const res = await mfaCall(t, mfaToken, 'verify', { code: previous });
      if (window === 1) expect(res.status).toBe(200);
      else expectErrorResponse(res, 401, 'OTP_INVALID');
    }
  });

  it('counts wrong codes per sign-in (maxAttempts), refuses resend with 409, and a second register replaces the secret', async () => {
    const cfg: AppConfig = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 };
    const { tenant } = await authenticatorTenant(cfg, { maxAttempts: 2 });
    const user = await createUser(t, tenant);
    const first = await enroll(tenant, user);
    const again = await mfaCall(t, first.mfaToken, 'register', {}).expect(200);
    const replaced = base32Decode(again.body.secret);
    const opts = { algorithm: 'SHA1' as const, digits: 6, period: 30 };
    expectErrorResponse(await mfaCall(t, first.mfaToken, 'resend'), 409, 'CONFLICT');
    // The first secret no longer registers anything.
    expectErrorResponse(
      await mfaCall(t, first.mfaToken, 'verify', { code: independentTotp(first.secret, opts) }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await mfaCall(t, first.mfaToken, 'verify', { code: '12345' }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expectErrorResponse(
      await mfaCall(t, first.mfaToken, 'verify', { code: independentTotp(replaced, opts) }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expectErrorResponse(
      await mfaCall(t, first.mfaToken, 'register', { destination: 'x@acme.test' }),
      400,
      'VALIDATION_FAILED',
    );
    // A new sign-in has its own attempts; the replaced secret confirms the registration.
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await bindApp(t, login.body.mfaToken);
    const view = await adminUserView(t, tenant, user.id);
    expect(view.twoFactor).toEqual(
      expect.objectContaining({
        registered: true,
        channelType: 'authenticator',
        destination: null,
      }),
    );
  });

  it('wrong app codes count toward the account lock (rule 6) and the lock answers verify and login', async () => {
    const cfg: AppConfig = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 };
    const { tenant } = await authenticatorTenant(cfg, { maxAttempts: 20 });
    await putTwoFactorSettings(t, tenant, {
      enabled: true,
      channelId: await activeChannelId(t, tenant),
      otp: { maxAttempts: 20 },
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 600 },
    });
    const user = await createUser(t, tenant);
    const { mfaToken, secret } = await enroll(tenant, user);
    const right = independentTotp(secret, { algorithm: 'SHA1', digits: 6, period: 30 });
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i < 10; i++)
      expectErrorResponse(
        await mfaCall(t, mfaToken, 'verify', { code: wrong }),
        401,
        'OTP_INVALID',
      );
    const locking = await mfaCall(t, mfaToken, 'verify', { code: wrong });
    expectErrorResponse(locking, 429, 'TWO_FACTOR_LOCKED');
    expectErrorResponse(
      await mfaCall(t, mfaToken, 'verify', { code: right }),
      429,
      'TWO_FACTOR_LOCKED',
    );
    expectErrorResponse(
      await passwordLogin(t, tenant.slug, user.username, user.password),
      429,
      'TWO_FACTOR_LOCKED',
    );
  });

  it('keeps the enrolled parameters when the channel changes; keeps no secret in clear', async () => {
    const cfg: AppConfig = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 };
    const { tenant, channelId } = await authenticatorTenant(cfg);
    const user = await createUser(t, tenant);
    const { mfaToken, uri, secret } = await enroll(tenant, user);
    await mfaCall(t, mfaToken, 'verify', {
      code: independentTotp(secret, { algorithm: 'SHA1', digits: 6, period: 30 }),
    }).expect(200);
    await t
      .http()
      .patch(`/v1/tenants/${tenant.slug}/channels/${channelId}`)
      .set('X-Api-Key', t.platformKey)
      .send({ config: { digits: 8, algorithm: 'SHA512' } })
      .expect(200);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const next = independentTotp(
      secret,
      { algorithm: 'SHA1', digits: 6, period: 30 },
      Date.now() / 1000 + 30,
    );
    const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code: next }).expect(200);
    // After registration, no response holds the secret.
    const me = await t
      .http()
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${verified.body.accessToken}`)
      .expect(200);
    const admin = await adminUserView(t, tenant, user.id);
    for (const body of [verified.body, me.body, admin])
      expect(JSON.stringify(body)).not.toContain(uri.secret);

    const dump = await dumpDatabase(t.databaseUrl);
    expect(dump).not.toContain(uri.secret);
    expect(dump).not.toContain(secret.toString('hex'));
  });
});

describe('switching a tenant between email and authenticator', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });

  it('asks for the new type at the next login and keeps the other registration for the way back', async () => {
    const {
      tenant,
      user,
      address,
      channelId: emailChannel,
    } = await registeredEmailUser(t, smtp, {}, 'switch');

    await enableAuthenticatorTwoFactor(t, tenant);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual(
      expect.objectContaining({
        status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
        channel: 'authenticator',
        proof: expect.objectContaining({ channel: 'email', delivery: 'SENT' }),
      }),
    );
    // The password alone does not bind the new factor (v1.1 §4): the email one is proven first.
    expectErrorResponse(
      await mfaCall(t, login.body.mfaToken, 'register', {}),
      403,
      'TWO_FACTOR_PROOF_REQUIRED',
    );
    expect(
      await mfaCall(t, login.body.mfaToken, 'verify', {
        code: await smtp.codeFor(address, 2),
      }).expect(200),
    ).toHaveProperty('body', {
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: 'authenticator',
      proven: true,
    });
    await awayFromStepEdge(30);
    await bindApp(t, login.body.mfaToken);
    const view = await adminUserView(t, tenant, user.id);
    expect(view.twoFactor).toEqual(
      expect.objectContaining({
        registered: true,
        channelType: 'authenticator',
        others: [{ channelType: 'email', registeredAt: expect.any(String) }],
      }),
    );

    // Back to email: the kept address gets the code at once, no registration.
    await putTwoFactorSettings(t, tenant, { enabled: true, channelId: emailChannel });
    const back = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(back.body).toEqual(
      expect.objectContaining({
        status: 'TWO_FACTOR_REQUIRED',
        channel: 'email',
        delivery: 'SENT',
      }),
    );
    await mfaCall(t, back.body.mfaToken, 'verify', { code: await smtp.codeFor(address) }).expect(
      200,
    );

    // The admin reset clears both.
    await resetTwoFactor(t, tenant, user.id);
    const [reset] = await auditEvents(t, tenant.slug, { type: 'TWO_FACTOR_RESET' });
    expect((reset.data.channelTypes as string[]).sort()).toEqual(['authenticator', 'email']);
  });
});

describe('adding a factor needs the one the user has (v1.1 §4)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });

  async function emailUserSwitchedToApp() {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const emailChannel = await enableEmailTwoFactor(t, tenant, smtp);
    const address = `proof-${tenant.slug}@acme.test`;
    const first = await registerByEmailAnswer(t, smtp, tenant, user, address);
    await enableAuthenticatorTwoFactor(t, tenant);
    return { tenant, user, address, emailChannel, codes: first.recoveryCodes ?? [] };
  }

  /** A used recovery code is refused in a new sign-in: it was used up (v1.1 §6). */
  async function expectUsedUp(tenant: TestTenant, user: TestUser, recoveryCode: string) {
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expectErrorResponse(
      await mfaCall(t, login.body.mfaToken, 'verify', { recoveryCode }),
      401,
      'OTP_INVALID',
    );
  }

  it('a holder of the password alone cannot bind an app: wrong proof codes count, register stays closed', async () => {
    const { tenant, user, address } = await emailUserSwitchedToApp();
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.proof).toEqual(
      expect.objectContaining({ channel: 'email', destination: expect.stringContaining('***') }),
    );
    expect(smtp.to(address)).toHaveLength(2);
    const token = login.body.mfaToken as string;
    expectErrorResponse(await mfaCall(t, token, 'verify', { code: '000000' }), 401, 'OTP_INVALID');
    expectErrorResponse(await mfaCall(t, token, 'register', {}), 403, 'TWO_FACTOR_PROOF_REQUIRED');
    const [failed] = await auditEvents(t, tenant.slug, { type: 'OTP_FAILED' });
    expect(failed.data).toEqual(
      expect.objectContaining({ channel: 'email', purpose: 'proof', reason: 'wrong' }),
    );
    // The user's own code still works after the attacker's try, and register opens.
    await mfaCall(t, token, 'verify', { code: await smtp.codeFor(address, 2) }).expect(200);
    await mfaCall(t, token, 'register', {}).expect(200);
  });

  it('with the email channel disabled only a recovery code proves the user: register stays closed until one is used', async () => {
    const { tenant, user, emailChannel, codes } = await emailUserSwitchedToApp();
    await t
      .http()
      .patch(`/v1/tenants/${tenant.slug}/channels/${emailChannel}`)
      .set('X-Api-Key', t.platformKey)
      .send({ enabled: false })
      .expect(200);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.proof).toEqual({ channel: 'recovery_code' });
    const token = login.body.mfaToken as string;
    expectErrorResponse(await mfaCall(t, token, 'register', {}), 403, 'TWO_FACTOR_PROOF_REQUIRED');
    expectErrorResponse(await mfaCall(t, token, 'verify', { code: '123456' }), 401, 'OTP_INVALID');
    expectErrorResponse(await mfaCall(t, token, 'register', {}), 403, 'TWO_FACTOR_PROOF_REQUIRED');
    expectErrorResponse(
      await mfaCall(t, token, 'verify', { recoveryCode: 'AAAA-BBBB-CCCC' }),
      401,
      'OTP_INVALID',
    );
    // The recovery code (v1.1 §6) is the proof: the mfa token stays good for register.
    const proven = await mfaCall(t, token, 'verify', { recoveryCode: codes[2] }).expect(200);
    expect(proven.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: 'authenticator',
      proven: true,
    });
    const used = await auditEvents(t, tenant.slug, { type: 'RECOVERY_CODE_USED', userId: user.id });
    expect(used[0].data).toEqual(expect.objectContaining({ remaining: 9, purpose: 'proof' }));
    await awayFromStepEdge(30, 5);
    const enrolled = await mfaCall(t, token, 'register', {}).expect(200);
    const uri = parseOtpauth(enrolled.body.otpauthUri as string);
    const code = independentTotp(base32Decode(uri.secret), {
      algorithm: uri.algorithm,
      digits: uri.digits,
      period: uri.period,
    });
    const done = await mfaCall(t, token, 'verify', { code }).expect(200);
    expect(done.body.status).toBe('AUTHENTICATED');
    // Not a first registration: no new codes; the used one stays used.
    expect(done.body.recoveryCodes).toBeUndefined();
    await expectUsedUp(tenant, user, codes[2]);
  });

  it('a pending proof of an email factor accepts a recovery code too, and uses it up', async () => {
    const { tenant, user, codes } = await emailUserSwitchedToApp();
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.proof).toEqual(expect.objectContaining({ channel: 'email' }));
    const token = login.body.mfaToken as string;
    const proven = await mfaCall(t, token, 'verify', { recoveryCode: codes[0] }).expect(200);
    expect(proven.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: 'authenticator',
      proven: true,
    });
    await mfaCall(t, token, 'register', {}).expect(200);
    await expectUsedUp(tenant, user, codes[0]);
  });

  it('app to email: the app code proves the user, then the address is registered', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableAuthenticatorTwoFactor(t, tenant);
    const app = await enrollAuthenticator(t, tenant, user);
    await enableEmailTwoFactor(t, tenant, smtp);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual(
      expect.objectContaining({
        status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
        channel: 'email',
        proof: { channel: 'authenticator' },
      }),
    );
    const token = login.body.mfaToken as string;
    const address = `app-first-${tenant.slug}@acme.test`;
    expectErrorResponse(
      await mfaCall(t, token, 'register', { destination: address }),
      403,
      'TWO_FACTOR_PROOF_REQUIRED',
    );
    expect(smtp.to(address)).toHaveLength(0);
    const proven = await mfaCall(t, token, 'verify', {
      code: app.code(Date.now() / 1000 + 30),
    }).expect(200);
    expect(proven.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: 'email',
      proven: true,
    });
    await mfaCall(t, token, 'register', { destination: address }).expect(200);
    const done = await mfaCall(t, token, 'verify', { code: await smtp.codeFor(address, 1) }).expect(
      200,
    );
    expect(done.body.status).toBe('AUTHENTICATED');
  });
});
