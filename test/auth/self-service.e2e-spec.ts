import {
  createTenant,
  createUser,
  TestTenant,
  TestUser,
  adminUserView,
} from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
  registerByEmailAnswer,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import {
  awayFromStepEdge,
  base32Decode,
  independentTotp,
  parseOtpauth,
} from '../support/independent-totp';
import { useAppWithSmtp, TestApp } from '../support/test-app';
import { claimsOf } from '../support/jwt-claims';

const limits = { THROTTLE_USER_PER_MINUTE: '100000', THROTTLE_IP_PER_MINUTE: '100000' };

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** The app a user scans from a register answer's otpauth URI: codes for any time. */
function appFrom(otpauthUri: string) {
  const uri = parseOtpauth(otpauthUri);
  const secret = base32Decode(uri.secret);
  const opts = { algorithm: uri.algorithm, digits: uri.digits, period: uri.period };
  return { code: (at = Date.now() / 1000) => independentTotp(secret, opts, at) };
}

/**
 * API.md v1.1 §8 through HTTP: a signed-in user replaces their second factor (register, then
 * confirm with the new factor's code), the old factor working until then; the lost-phone path
 * (a recovery code, then a new authenticator); the re-authentication gate; attempts and abuse.
 */
describe('self-service 2FA (v1.1 §8)', () => {
  let a: TestApp;

  const smtp = useAppWithSmtp((app) => (a = app), { env: limits });

  const me2fa = (token: string, path: 'register' | 'confirm', body: object = {}) =>
    a.http().post(`/v1/auth/me/2fa/${path}`).set('Authorization', `Bearer ${token}`).send(body);
  const me = async (token: string) =>
    (await a.http().get('/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200))
      .body as {
      twoFactor: Record<string, unknown>;
    };
  const refresh = (refreshToken: string) =>
    a.http().post('/v1/auth/refresh').send({ refreshToken });
  const userView = async (tenant: TestTenant, user: TestUser) =>
    (
      await a
        .http()
        .get(`/v1/tenants/${tenant.slug}/users/${user.id}`)
        .set('X-Api-Key', a.platformKey)
        .expect(200)
    ).body as { twoFactor: Record<string, unknown> };

  /** A user registered for email 2FA on the sink; the tokens of that first (2FA) sign-in. */
  async function emailUser(otp: Record<string, number> = {}, tenant?: TestTenant) {
    const t = tenant ?? (await createTenant(a));
    if (!tenant)
      await enableEmailTwoFactor(a, t, smtp, { otp: { resendCooldownSeconds: 0, ...otp } });
    const user = await createUser(a, t);
    const address = `${user.username}@${t.slug}.test`;
    const tokens = await registerByEmailAnswer(a, smtp, t, user, address);
    return { tenant: t, user, address, tokens };
  }

  /** A fresh 2FA sign-in by email code (the code from the sink). */
  async function emailSignIn(tenant: TestTenant, user: TestUser, address: string): Promise<Tokens> {
    const before = smtp.to(address).length;
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.status).toBe('TWO_FACTOR_REQUIRED');
    const code = await smtp.codeFor(address, before + 1);
    return (await mfaCall(a, login.body.mfaToken, 'verify', { code }).expect(200)).body as Tokens;
  }

  it('lost phone: a recovery code signs in, a new authenticator is registered and confirmed; the old one and the other sessions are refused', async () => {
    const tenant = await createTenant(a);
    await enableAuthenticatorTwoFactor(a, tenant);
    const user = await createUser(a, tenant);
    const oldPhone = await enrollAuthenticator(a, tenant, user);
    expect(oldPhone.recoveryCodes).toHaveLength(10);
    // The earlier sign-in (the enrolment's) is another session of the user.
    const earlier: Tokens = oldPhone;

    // The phone is lost: a recovery code signs in, acr 2fa.
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    const recovered = (
      await mfaCall(a, login.body.mfaToken, 'verify', {
        recoveryCode: oldPhone.recoveryCodes[0],
      }).expect(200)
    ).body as Tokens;
    expect(claimsOf(recovered.accessToken).acr).toBe('2fa');

    await awayFromStepEdge(30, 5);
    const reg = await me2fa(recovered.accessToken, 'register', {}).expect(200);
    expect(reg.body).toEqual({
      status: 'TWO_FACTOR_REQUIRED',
      channel: 'authenticator',
      secret: expect.stringMatching(/^[A-Z2-7]+$/),
      otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//),
      qrCodeDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
    });
    const newPhone = appFrom(reg.body.otpauthUri);
    expect(parseOtpauth(reg.body.otpauthUri).secret).toBe(reg.body.secret);

    // The enrolment spent this time step for the user (no replay, whatever the secret): the new
    // phone's code of the next step (inside the channel's window of 1) confirms.
    const step = Math.floor(Date.now() / 1000 / 30);
    const confirmed = await me2fa(recovered.accessToken, 'confirm', {
      code: newPhone.code((step + 1) * 30),
    }).expect(200);
    expect(confirmed.body).toEqual({
      twoFactor: {
        registered: true,
        channelType: 'authenticator',
        destination: null,
        registeredAt: expect.any(String),
        recoveryCodesRemaining: 9,
      },
    });

    // The calling session stays (a refresh gives a token of the new 2FA version) ...
    const renewed = (await refresh(recovered.refreshToken).expect(200)).body as Tokens;
    expect((await me(renewed.accessToken)).twoFactor).toEqual(confirmed.body.twoFactor);
    // ... the other session ended: its refresh token and its access token are refused.
    expectErrorResponse(await refresh(earlier.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(
      await a.http().get('/v1/auth/me').set('Authorization', `Bearer ${earlier.accessToken}`),
      401,
      'UNAUTHENTICATED',
    );

    // A new sign-in: the old phone's code is refused, the new phone's works (a step after the
    // confirm's: once that step has come, the one after is inside the window).
    await new Promise((r) => setTimeout(r, Math.max(0, (step + 1) * 30000 - Date.now() + 200)));
    const next = (step + 2) * 30;
    const again = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(again.body.status).toBe('TWO_FACTOR_REQUIRED');
    expectErrorResponse(
      await mfaCall(a, again.body.mfaToken, 'verify', { code: oldPhone.code(next) }),
      401,
      'OTP_INVALID',
    );
    await mfaCall(a, again.body.mfaToken, 'verify', { code: newPhone.code(next) }).expect(200);

    // The audit log: the registration, the verified code, the other sessions ended.
    const registered = await auditEvents(a, tenant.slug, {
      type: 'TWO_FACTOR_REGISTERED',
      userId: user.id,
    });
    expect(registered).toHaveLength(2);
    const verified = await auditEvents(a, tenant.slug, { type: 'OTP_VERIFIED', userId: user.id });
    expect(verified.filter((e) => e.data.selfService === true)).toHaveLength(1);
    const revoked = await auditEvents(a, tenant.slug, {
      type: 'SESSION_REVOKED',
      userId: user.id,
    });
    const changed = revoked.filter((e) => e.data.reason === 'two_factor_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0].data.sessionIds).toEqual([claimsOf(earlier.accessToken).sid]);
    const sent = await auditEvents(a, tenant.slug, { type: 'OTP_SENT', userId: user.id });
    expect(sent.filter((e) => e.data.delivery === 'enrollment')).toHaveLength(2);
    const all = JSON.stringify(await auditEvents(a, tenant.slug, { userId: user.id }));
    expect(all).not.toContain(reg.body.secret);
  });

  it('email: the code goes to the new address; until confirm the old address signs in; then login codes go to the new one', async () => {
    const { tenant, user, address, tokens } = await emailUser();
    const newAddress = `new-${user.username}@${tenant.slug}.test`;

    const reg = await me2fa(tokens.accessToken, 'register', { destination: newAddress }).expect(
      200,
    );
    expect(reg.body).toEqual({
      status: 'TWO_FACTOR_REQUIRED',
      channel: 'email',
      destination: `n***@${tenant.slug}.test`,
      delivery: 'SENT',
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      resendsRemaining: expect.any(Number),
    });
    const mail = await smtp.waitFor(newAddress, 1);
    expect(mail.text).toContain('to confirm this address for two-factor sign-in');
    const pendingCode = await smtp.codeFor(newAddress, 1);

    // Nothing changed yet: /me and the login still use the old address.
    expect((await me(tokens.accessToken)).twoFactor.destination).not.toMatch(/^n\*\*\*/);
    const before = smtp.to(address).length;
    const stillOld = await emailSignIn(tenant, user, address);
    expect(smtp.to(address)).toHaveLength(before + 1);
    expect(smtp.to(newAddress)).toHaveLength(1);

    // That login's code replaced the user's earlier live code (OTP rule 3): register again.
    expectErrorResponse(
      await me2fa(stillOld.accessToken, 'confirm', { code: pendingCode }),
      409,
      'CONFLICT',
    );
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code: pendingCode }),
      401,
      'OTP_INVALID',
    );
    await me2fa(tokens.accessToken, 'register', { email: newAddress }).expect(200);
    const code = await smtp.codeFor(newAddress, 2);
    const confirmed = await me2fa(tokens.accessToken, 'confirm', { code }).expect(200);
    expect(confirmed.body.twoFactor).toEqual(
      expect.objectContaining({
        registered: true,
        channelType: 'email',
        destination: `n***@${tenant.slug}.test`,
        recoveryCodesRemaining: 10,
      }),
    );
    // The other session (stillOld) ended; the admin view holds the new address whole.
    expectErrorResponse(await refresh(stillOld.refreshToken), 401, 'UNAUTHENTICATED');
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ destination: newAddress }),
    );

    // The next login's code goes to the new address; none to the old one.
    const oldCount = smtp.to(address).length;
    await emailSignIn(tenant, user, newAddress);
    expect(smtp.to(address)).toHaveLength(oldCount);

    const registered = await auditEvents(a, tenant.slug, {
      type: 'TWO_FACTOR_REGISTERED',
      userId: user.id,
    });
    expect(registered[0].data).toEqual(
      expect.objectContaining({ channelType: 'email', destination: newAddress }),
    );
    const sent = await auditEvents(a, tenant.slug, { type: 'OTP_SENT', userId: user.id });
    expect(sent.filter((e) => e.data.purpose === 'register')).toHaveLength(3);
    expect(JSON.stringify(sent)).not.toContain(code);
  });

  it('the new address may equal the old one', async () => {
    const { user, address, tokens } = await emailUser();
    await me2fa(tokens.accessToken, 'register', { destination: address }).expect(200);
    const code = await smtp.codeFor(address, 2);
    const res = await me2fa(tokens.accessToken, 'confirm', { code }).expect(200);
    expect(res.body.twoFactor).toEqual(expect.objectContaining({ registered: true }));
    expect(res.body.twoFactor.destination).toBe(`${user.username[0]}***@${address.split('@')[1]}`);
  });

  it('wrong codes count (maxAttempts, the account count) and leave the factor unchanged', async () => {
    const { tenant, user, tokens } = await emailUser({ maxAttempts: 3 });
    const newAddress = `n-${user.username}@${tenant.slug}.test`;
    const before = (await me(tokens.accessToken)).twoFactor;
    await me2fa(tokens.accessToken, 'register', { destination: newAddress }).expect(200);
    const code = await smtp.codeFor(newAddress, 1);
    const wrong = code === '000000' ? '111111' : '000000';
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code: wrong }),
      401,
      'OTP_INVALID',
    );
    // Not the exact digits: a wrong code too, never normalised.
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code: ` ${code}` }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code: wrong }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    // Dead: also for the right code.
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ consecutiveFailures: 3 }),
    );
    expect((await me(tokens.accessToken)).twoFactor).toEqual(before);
    const failed = await auditEvents(a, tenant.slug, { type: 'OTP_FAILED', userId: user.id });
    // The third wrong code is both OTP_FAILED and OTP_ATTEMPTS_EXCEEDED; the dead code's try is not judged.
    expect(failed).toHaveLength(3);
    expect(failed[0].data).toEqual(
      expect.objectContaining({ reason: 'wrong', purpose: 'register', selfService: true }),
    );
    // A new register gives a new code: that one works.
    await me2fa(tokens.accessToken, 'register', { destination: newAddress }).expect(200);
    const fresh = await smtp.codeFor(newAddress, 2);
    await me2fa(tokens.accessToken, 'confirm', { code: fresh }).expect(200);
  });

  it("one user's pending registration cannot be confirmed with another user's code", async () => {
    const first = await emailUser();
    const second = await emailUser({}, first.tenant);
    const to1 = `p1-${first.user.username}@${first.tenant.slug}.test`;
    const to2 = `p2-${second.user.username}@${first.tenant.slug}.test`;
    await me2fa(first.tokens.accessToken, 'register', { destination: to1 }).expect(200);
    await me2fa(second.tokens.accessToken, 'register', { destination: to2 }).expect(200);
    const code1 = await smtp.codeFor(to1, 1);
    const code2 = await smtp.codeFor(to2, 1);
    if (code1 !== code2)
      expectErrorResponse(
        await me2fa(first.tokens.accessToken, 'confirm', { code: code2 }),
        401,
        'OTP_INVALID',
      );
    // The second user's token confirms only the second user's pending registration.
    if (code1 !== code2)
      expectErrorResponse(
        await me2fa(second.tokens.accessToken, 'confirm', { code: code1 }),
        401,
        'OTP_INVALID',
      );
    const ok = await me2fa(first.tokens.accessToken, 'confirm', { code: code1 }).expect(200);
    expect(ok.body.twoFactor.destination).toBe(`p***@${first.tenant.slug}.test`);
    expect((await userView(first.tenant, second.user)).twoFactor).toEqual(
      expect.objectContaining({ destination: second.address }),
    );
  });

  it('no pending registration, one of another session, or one replaced by a second register: 409 / OTP_INVALID', async () => {
    const { tenant, user, address, tokens } = await emailUser();
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'confirm', { code: '123456' }),
      409,
      'CONFLICT',
    );
    const to = `x-${user.username}@${tenant.slug}.test`;
    await me2fa(tokens.accessToken, 'register', { destination: to }).expect(200);
    const first = await smtp.codeFor(to, 1);
    // The pending registration belongs to the session that asked for it.
    const other = await emailSignIn(tenant, user, address);
    expectErrorResponse(
      await me2fa(other.accessToken, 'confirm', { code: first }),
      409,
      'CONFLICT',
    );
    // A second register replaces the pending one: its code is the only one that works.
    await me2fa(tokens.accessToken, 'register', { destination: to }).expect(200);
    const second = await smtp.codeFor(to, 2);
    if (first !== second)
      expectErrorResponse(
        await me2fa(tokens.accessToken, 'confirm', { code: first }),
        401,
        'OTP_INVALID',
      );
    await me2fa(tokens.accessToken, 'confirm', { code: second }).expect(200);
    // Confirmed: nothing pending any more.
    const renewed = (await refresh(tokens.refreshToken).expect(200)).body as Tokens;
    expectErrorResponse(
      await me2fa(renewed.accessToken, 'confirm', { code: second }),
      409,
      'CONFLICT',
    );
  });

  it('a register inside the cooldown: 429 OTP_RESEND_COOLDOWN, and the pending registration stays', async () => {
    const { tenant, user, tokens } = await emailUser({ resendCooldownSeconds: 60 });
    const to = `c-${user.username}@${tenant.slug}.test`;
    await me2fa(tokens.accessToken, 'register', { destination: to }).expect(200);
    const code = await smtp.codeFor(to, 1);
    const again = await me2fa(tokens.accessToken, 'register', { destination: `d-${to}` });
    expectErrorResponse(again, 429, 'OTP_RESEND_COOLDOWN');
    expect(again.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(smtp.to(`d-${to}`)).toHaveLength(0);
    const ok = await me2fa(tokens.accessToken, 'confirm', { code }).expect(200);
    expect(ok.body.twoFactor.destination).toBe(`c***@${tenant.slug}.test`);
  });

  it('an authenticator: wrong codes use up the pending registration (maxAttempts); the old secret is no code for it', async () => {
    const tenant = await createTenant(a);
    await enableAuthenticatorTwoFactor(a, tenant, { otp: { maxAttempts: 2 } });
    const user = await createUser(a, tenant);
    const oldPhone = await enrollAuthenticator(a, tenant, user);
    const reg = await me2fa(oldPhone.accessToken, 'register', {}).expect(200);
    const newPhone = appFrom(reg.body.otpauthUri);
    const later = Date.now() / 1000 + 30;
    expectErrorResponse(
      await me2fa(oldPhone.accessToken, 'confirm', { code: oldPhone.code(later) }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await me2fa(oldPhone.accessToken, 'confirm', { code: 'abcdef' }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expectErrorResponse(
      await me2fa(oldPhone.accessToken, 'confirm', { code: newPhone.code(later) }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    // The old secret still signs in.
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(a, login.body.mfaToken, 'verify', { code: oldPhone.code(later) }).expect(200);
  });

  it('two parallel confirms with the right code: exactly one 200, one registration', async () => {
    const { tenant, user, tokens } = await emailUser();
    const to = `r-${user.username}@${tenant.slug}.test`;
    await me2fa(tokens.accessToken, 'register', { destination: to }).expect(200);
    const code = await smtp.codeFor(to, 1);
    const answers = await Promise.all([
      me2fa(tokens.accessToken, 'confirm', { code }),
      me2fa(tokens.accessToken, 'confirm', { code }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const registered = await auditEvents(a, tenant.slug, {
      type: 'TWO_FACTOR_REGISTERED',
      userId: user.id,
    });
    expect(registered).toHaveLength(2); // the first registration and this one
  });

  it('a locked account: register answers 429 TWO_FACTOR_LOCKED and sends nothing', async () => {
    const tenant = await createTenant(a);
    await enableEmailTwoFactor(a, tenant, smtp, {
      otp: { resendCooldownSeconds: 0 },
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 600 },
    });
    const { user, address, tokens } = await emailUser({}, tenant);
    // Two sign-ins' 5 wrong codes each: 10 consecutive failures lock the account's 2FA step.
    for (let round = 0; round < 2; round++) {
      const before = smtp.to(address).length;
      const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
      const code = await smtp.codeFor(address, before + 1);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) await mfaCall(a, login.body.mfaToken, 'verify', { code: wrong });
    }
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ consecutiveFailures: 10 }),
    );
    const to = `l-${user.username}@${tenant.slug}.test`;
    const res = await me2fa(tokens.accessToken, 'register', { destination: to });
    expectErrorResponse(res, 429, 'TWO_FACTOR_LOCKED');
    expect(smtp.to(to)).toHaveLength(0);
  });

  it('/docs-json documents both routes with REAUTHENTICATION_REQUIRED', async () => {
    const doc = (await a.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, { post: { responses: Record<string, { description: string }> } }>;
    };
    for (const path of ['/v1/auth/me/2fa/register', '/v1/auth/me/2fa/confirm'])
      expect(doc.paths[path].post.responses['401'].description).toContain(
        'REAUTHENTICATION_REQUIRED',
      );
    expect(doc.paths['/v1/auth/me/recovery-codes'].post.responses['401'].description).toContain(
      'REAUTHENTICATION_REQUIRED',
    );
  });

  it('2FA turned off for the tenant since the sign-in: 409 CONFLICT, nothing pending', async () => {
    const { tenant, tokens } = await emailUser();
    await a
      .http()
      .put(`/v1/tenants/${tenant.slug}/settings/2fa`)
      .set('X-Api-Key', a.platformKey)
      .send({ enabled: false })
      .expect(200);
    expectErrorResponse(
      await me2fa(tokens.accessToken, 'register', { destination: 'a@b.test' }),
      409,
      'CONFLICT',
    );
  });

  it('bad bodies: 400 VALIDATION_FAILED with details; no or a wrong kind of token: 401', async () => {
    const { tokens } = await emailUser();
    const cases: Array<[object, string]> = [
      [{}, 'destination'],
      [{ destination: 'not-an-address' }, 'destination'],
      [{ destination: 'a@b.test', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await me2fa(tokens.accessToken, 'register', body);
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
      expectValidationError(res, field);
    }
    for (const body of [{}, { code: 123456 }, { code: '' }, { code: '1'.repeat(17) }]) {
      const res = await me2fa(tokens.accessToken, 'confirm', body);
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
      expectValidationError(res, 'code');
    }
    expectErrorResponse(
      await a.http().post('/v1/auth/me/2fa/register').send({ destination: 'a@b.test' }),
      401,
      'UNAUTHENTICATED',
    );

    // An authenticator tenant: the body is `{}`.
    const tenant = await createTenant(a);
    await enableAuthenticatorTwoFactor(a, tenant);
    const user = await createUser(a, tenant);
    const app = await enrollAuthenticator(a, tenant, user);
    const res = await me2fa(app.accessToken, 'register', { destination: 'a@b.test' });
    expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    // An mfa token is not an access token.
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expectErrorResponse(await me2fa(login.body.mfaToken, 'register', {}), 401, 'UNAUTHENTICATED');
  });

  it('401 REAUTHENTICATION_REQUIRED for a password-only sign-in (acr pwd)', async () => {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    const pwd = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(claimsOf(pwd.body.accessToken).acr).toBe('pwd');
    for (const [path, body] of [
      ['register', { destination: 'a@b.test' }],
      ['confirm', { code: '123456' }],
    ] as const)
      expectErrorResponse(
        await me2fa(pwd.body.accessToken, path, body),
        401,
        'REAUTHENTICATION_REQUIRED',
      );
  });
});

/** With REAUTH_SECONDS small: an old 2FA sign-in (a stolen access token) may not change the factor. */
describe('self-service 2FA: REAUTH_SECONDS', () => {
  let quick: TestApp;
  const smtp = useAppWithSmtp((app) => (quick = app), { env: { ...limits, REAUTH_SECONDS: '2' } });

  it('an access token older than REAUTH_SECONDS can neither register nor confirm, even with the code', async () => {
    const tenant = await createTenant(quick);
    const user = await createUser(quick, tenant);
    await enableEmailTwoFactor(quick, tenant, smtp, { otp: { resendCooldownSeconds: 0 } });
    const address = `${user.username}@${tenant.slug}.test`;
    const { accessToken } = await registerByEmailAnswer(quick, smtp, tenant, user, address);
    const attacker = `mallory@${tenant.slug}.test`;
    // Within the window: the register goes out (a pending registration to the attacker's address).
    const call = (path: string, body: object) =>
      quick
        .http()
        .post(`/v1/auth/me/2fa/${path}`)
        .set('Authorization', `Bearer ${accessToken}`)
        .send(body);
    await call('register', { destination: attacker }).expect(200);
    const code = await smtp.codeFor(attacker, 1);
    await new Promise((r) => setTimeout(r, 3100));
    expectErrorResponse(await call('confirm', { code }), 401, 'REAUTHENTICATION_REQUIRED');
    expectErrorResponse(
      await call('register', { destination: attacker }),
      401,
      'REAUTHENTICATION_REQUIRED',
    );
    expect(smtp.to(attacker)).toHaveLength(1);
    const view = await adminUserView(quick, tenant, user.id);
    expect(view.twoFactor.destination).toBe(address);
  });
});
