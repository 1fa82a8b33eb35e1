import {
  adminUserView,
  createTenant,
  createUser,
  TestTenant,
  TestUser,
} from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  registerByEmailAnswer,
  resetTwoFactor,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import { useAppWithSmtp, TestApp } from '../support/test-app';

const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/**
 * API.md v1.1 §6 through HTTP: recovery codes handed out once at the first registration, signing
 * in with one (once), parallel uses, wrong ones counting, the locked account, regeneration,
 * re-authentication and the admin's reset.
 */
describe('recovery codes (v1.1 §6)', () => {
  let a: TestApp;
  const limits = { THROTTLE_USER_PER_MINUTE: '100000', THROTTLE_IP_PER_MINUTE: '100000' };

  const smtp = useAppWithSmtp((app) => (a = app), { env: limits });

  const userView = (tenant: TestTenant, user: TestUser) => adminUserView(a, tenant, user.id);

  /** A user registered for email 2FA on the sink; its recovery codes from that first verify. */
  async function emailUser(lockout?: Record<string, number>, recoveryCodes?: { enabled: boolean }) {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    await enableEmailTwoFactor(a, tenant, smtp, {
      otp: { resendCooldownSeconds: 0 },
      ...(lockout ? { lockout } : {}),
      ...(recoveryCodes ? { recoveryCodes } : {}),
    });
    const address = `${user.username}@${tenant.slug}.test`;
    const answer = await registerByEmailAnswer(a, smtp, tenant, user, address);
    return { tenant, user, address, answer, codes: answer.recoveryCodes ?? [] };
  }

  const login = async (tenant: TestTenant, user: TestUser) =>
    (await passwordLogin(a, tenant.slug, user.username, user.password).expect(200)).body as {
      mfaToken: string;
    };

  const me = async (accessToken: string) =>
    (await a.http().get('/v1/auth/me').set('Authorization', `Bearer ${accessToken}`).expect(200))
      .body as { twoFactor: { recoveryCodesRemaining: number } };

  it('the first registration returns 10 distinct codes xxxx-xxxx-xxxx once; none when the tenant turned them off', async () => {
    const { tenant, user, address, answer, codes } = await emailUser();
    expect(answer.accessToken).toEqual(expect.any(String));
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(CODE_FORMAT);
    expect(new Set(codes).size).toBe(10);
    expect((await me(answer.accessToken)).twoFactor.recoveryCodesRemaining).toBe(10);

    // A later sign-in does not show them again.
    const s = await login(tenant, user);
    const code = await smtp.codeFor(address, 2);
    const later = await mfaCall(a, s.mfaToken, 'verify', { code }).expect(200);
    expect(later.body.recoveryCodes).toBeUndefined();

    const off = await emailUser(undefined, { enabled: false });
    expect(off.answer.accessToken).toEqual(expect.any(String));
    expect(off.answer.recoveryCodes).toBeUndefined();
    expect((await me(off.answer.accessToken)).twoFactor.recoveryCodesRemaining).toBe(0);
  });

  it('a recovery code signs in (case, spaces and dashes ignored) with amr ["pwd","otp"], acr 2fa, once', async () => {
    const { tenant, user, address, codes } = await emailUser();
    const typed = ` ${codes[3].toLowerCase().replace(/-/g, ' ')} `;
    const s = await login(tenant, user);
    const mailsBefore = smtp.to(address).length;
    const res = await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: typed }).expect(200);
    expect(res.body.status).toBe('AUTHENTICATED');
    const claims = JSON.parse(
      Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString(),
    ) as { amr: string[]; acr: string };
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe('2fa');
    expect((await me(res.body.accessToken)).twoFactor.recoveryCodesRemaining).toBe(9);
    // The admin view shows the count, never a code.
    const view = await adminUserView(a, tenant, user.id);
    expect(view.twoFactor.recoveryCodesRemaining).toBe(9);
    for (const c of codes) expect(JSON.stringify(view)).not.toContain(c);
    const used = await auditEvents(a, tenant.slug, { type: 'RECOVERY_CODE_USED', userId: user.id });
    expect(used).toHaveLength(1);
    expect(used[0].data).toEqual(expect.objectContaining({ remaining: 9 }));
    // The notice (template recovery_code_used) through the email channel: no code in it.
    const notice = await smtp.waitFor(address, mailsBefore + 1);
    expect(notice.subject).toContain('a recovery code was used');
    expect(notice.text).toContain('A recovery code was used to sign in');
    expect(notice.text).toContain('9 recovery codes left');
    expect(notice.text).toContain('If it was not you');
    expect(notice.headers['auto-submitted']).toContain('auto-generated');
    for (const c of codes) {
      expect(notice.text).not.toContain(c);
      expect(notice.text).not.toContain(c.replace(/-/g, ''));
    }

    // Used up: the same code (any spelling) is a wrong one now.
    const again = await login(tenant, user);
    expectErrorResponse(
      await mfaCall(a, again.mfaToken, 'verify', { recoveryCode: codes[3] }),
      401,
      'OTP_INVALID',
    );
    const failed = await auditEvents(a, tenant.slug, { type: 'OTP_FAILED', userId: user.id });
    expect(failed[0].data).toEqual(
      expect.objectContaining({ reason: 'wrong', factor: 'recovery_code' }),
    );
  });

  it('code and recoveryCode together, or neither: 400 VALIDATION_FAILED', async () => {
    const { tenant, user, codes } = await emailUser();
    const s = await login(tenant, user);
    const both = await mfaCall(a, s.mfaToken, 'verify', { code: '123456', recoveryCode: codes[0] });
    expectErrorResponse(both, 400, 'VALIDATION_FAILED');
    expectValidationError(both, 'recoveryCode');
    const neither = await mfaCall(a, s.mfaToken, 'verify', {});
    expectErrorResponse(neither, 400, 'VALIDATION_FAILED');
  });

  it('two parallel uses of one code (two sign-ins): exactly one 200', async () => {
    const { tenant, user, codes } = await emailUser();
    const [s1, s2] = [await login(tenant, user), await login(tenant, user)];
    const answers = await Promise.all([
      mfaCall(a, s1.mfaToken, 'verify', { recoveryCode: codes[0] }),
      mfaCall(a, s2.mfaToken, 'verify', { recoveryCode: codes[0] }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const used = await auditEvents(a, tenant.slug, { type: 'RECOVERY_CODE_USED', userId: user.id });
    expect(used).toHaveLength(1);
  });

  it('a wrong recovery code counts as a wrong code (consecutiveFailures, the challenge attempts)', async () => {
    const { tenant, user, address, codes } = await emailUser();
    const s = await login(tenant, user);
    const wrong = codes[0].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(codes).not.toContain(wrong);
    expectErrorResponse(
      await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: wrong }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: 'not a code' }),
      401,
      'OTP_INVALID',
    );
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ consecutiveFailures: 2 }),
    );
    // The sign-in's 5 attempts: 2 taken by recovery codes, 3 left for the emailed code.
    const code = await smtp.codeFor(address, 2);
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++)
      expectErrorResponse(
        await mfaCall(a, s.mfaToken, 'verify', { code: wrongCode }),
        401,
        'OTP_INVALID',
      );
    expectErrorResponse(
      await mfaCall(a, s.mfaToken, 'verify', { code: wrongCode }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
  });

  it('while locked (timed, then indefinite) the login answers 429 with an mfa token for a recovery code only; one signs in and clears the lock', async () => {
    const { tenant, user, address, codes } = await emailUser({
      maxConsecutiveFailures: 10,
      durationSeconds: 600,
    });
    // 10 wrong recovery codes lock the account (a timed lock) ...
    const s = await login(tenant, user);
    const sentBefore = smtp.to(address).length;
    // (the sign-in's own 5 attempts run out on the way: OTP_ATTEMPTS_EXCEEDED, still 401)
    for (let i = 0; i < 9; i++)
      await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: `0000-0000-000${i}` }).expect(401);
    const locking = await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: '0000-0000-0009' });
    expectErrorResponse(locking, 429, 'TWO_FACTOR_LOCKED');
    expect(locking.body.retryAfterSeconds).toBeGreaterThan(0);

    const locked = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.body.recoveryCodeAllowed).toBe(true);
    expect(locked.body.mfaToken).toEqual(expect.any(String));
    // That token refuses a code (and has none to resend); nothing was sent.
    expectErrorResponse(
      await mfaCall(a, locked.body.mfaToken, 'verify', { code: '123456' }),
      429,
      'TWO_FACTOR_LOCKED',
    );
    expectErrorResponse(await mfaCall(a, locked.body.mfaToken, 'resend'), 409, 'CONFLICT');
    expect(smtp.to(address).length).toBe(sentBefore);

    // ... then indefinite: wrong recovery codes still count, up to the ceiling (100).
    for (let i = 10; i < 100; i++)
      await mfaCall(a, locked.body.mfaToken, 'verify', { recoveryCode: `1111-1111-${1000 + i}` });
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ lockedIndefinitely: true, consecutiveFailures: 100 }),
    );
    const indefinite = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(indefinite, 429, 'TWO_FACTOR_LOCKED');
    expect(indefinite.body.retryAfterSeconds).toBeUndefined();
    expect(indefinite.body.recoveryCodeAllowed).toBe(true);
    expect(smtp.to(address).length).toBe(sentBefore);

    const ok = await mfaCall(a, indefinite.body.mfaToken, 'verify', { recoveryCode: codes[9] });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('AUTHENTICATED');
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({
        lockedIndefinitely: false,
        lockedUntil: null,
        consecutiveFailures: 0,
      }),
    );
    // The next login is an ordinary one again, with a code at once (the cooldown cleared too).
    const next = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(next.body.status).toBe('TWO_FACTOR_REQUIRED');
    expect(next.body.delivery).toBe('SENT');
  });

  it('a timed lock: the recovery code of the locked login clears it', async () => {
    const { tenant, user, codes } = await emailUser({
      maxConsecutiveFailures: 10,
      durationSeconds: 600,
    });
    const s = await login(tenant, user);
    for (let i = 0; i < 10; i++)
      await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: `2222-2222-${1000 + i}` });
    const locked = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    await mfaCall(a, locked.body.mfaToken, 'verify', { recoveryCode: codes[0] }).expect(200);
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ lockedUntil: null, consecutiveFailures: 0 }),
    );
  });

  it('a locked account with no recovery code left: 429 without an mfa token', async () => {
    const { tenant, user } = await emailUser(
      { maxConsecutiveFailures: 10, durationSeconds: 600 },
      { enabled: false },
    );
    const s = await login(tenant, user);
    for (let i = 0; i < 10; i++)
      await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: `3333-3333-${1000 + i}` });
    const locked = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(locked.body.mfaToken).toBeUndefined();
    expect(locked.body.recoveryCodeAllowed).toBeUndefined();
  });

  it('locked, and the active type is a new one: the recovery code of the locked login is the §4 proof, then register opens', async () => {
    const { tenant, user, codes } = await emailUser({
      maxConsecutiveFailures: 10,
      durationSeconds: 600,
    });
    await enableAuthenticatorTwoFactor(a, tenant, {
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 600 },
    });
    const s = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(s.body.proof).toEqual(expect.objectContaining({ channel: 'email' }));
    for (let i = 0; i < 10; i++)
      await mfaCall(a, s.body.mfaToken, 'verify', { recoveryCode: `4444-4444-${1000 + i}` });
    const locked = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(locked.body.recoveryCodeAllowed).toBe(true);
    const token = locked.body.mfaToken as string;
    expectErrorResponse(await mfaCall(a, token, 'register', {}), 403, 'TWO_FACTOR_PROOF_REQUIRED');
    const proven = await mfaCall(a, token, 'verify', { recoveryCode: codes[5] }).expect(200);
    expect(proven.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: 'authenticator',
      proven: true,
    });
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ lockedUntil: null, consecutiveFailures: 0 }),
    );
    const enrolled = await mfaCall(a, token, 'register', {}).expect(200);
    expect(enrolled.body.otpauthUri).toEqual(expect.stringMatching(/^otpauth:\/\/totp\//));
  });

  const regenerate = (accessToken: string, app: TestApp = a) =>
    app.http().post('/v1/auth/me/recovery-codes').set('Authorization', `Bearer ${accessToken}`);

  it('POST /v1/auth/me/recovery-codes: 201 with a new set, the old one void', async () => {
    const { tenant, user, answer, codes } = await emailUser();
    const s = await login(tenant, user);
    // One of the old set used: 9 left.
    await mfaCall(a, s.mfaToken, 'verify', { recoveryCode: codes[0] }).expect(200);
    const res = await regenerate(answer.accessToken).send({}).expect(201);
    expect(res.body).toEqual({ codes: expect.any(Array), createdAt: expect.any(String) });
    expect(res.body.codes).toHaveLength(10);
    for (const c of res.body.codes) expect(c).toMatch(CODE_FORMAT);
    expect(res.body.codes.filter((c: string) => codes.includes(c))).toEqual([]);
    expect((await me(answer.accessToken)).twoFactor.recoveryCodesRemaining).toBe(10);

    const old = await login(tenant, user);
    expectErrorResponse(
      await mfaCall(a, old.mfaToken, 'verify', { recoveryCode: codes[1] }),
      401,
      'OTP_INVALID',
    );
    await mfaCall(a, old.mfaToken, 'verify', { recoveryCode: res.body.codes[1] }).expect(200);
  });

  it('401 REAUTHENTICATION_REQUIRED for a password-only sign-in (acr pwd)', async () => {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    const pwd = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(pwd.body.status).toBe('AUTHENTICATED');
    expectErrorResponse(
      await regenerate(pwd.body.accessToken).send({}),
      401,
      'REAUTHENTICATION_REQUIRED',
    );
    expect((await me(pwd.body.accessToken)).twoFactor.recoveryCodesRemaining).toBe(0);
  });

  it("the admin's 2FA reset voids the codes", async () => {
    const { tenant, user, codes } = await emailUser();
    await resetTwoFactor(a, tenant, user.id);
    const s = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(s.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    expect(s.body.proof).toBeUndefined();
    // A registration sign-in with nothing to prove takes no recovery code; none is left anyway.
    expectErrorResponse(
      await mfaCall(a, s.body.mfaToken, 'verify', { recoveryCode: codes[0] }),
      401,
      'OTP_INVALID',
    );
    // Registering again hands out a new set; the old codes stay void.
    const address = `${user.username}-2@${tenant.slug}.test`;
    await mfaCall(a, s.body.mfaToken, 'register', { destination: address }).expect(200);
    const verified = await mfaCall(a, s.body.mfaToken, 'verify', {
      code: await smtp.codeFor(address, 1),
    }).expect(200);
    expect(verified.body.recoveryCodes).toHaveLength(10);
    expect(verified.body.recoveryCodes.filter((c: string) => codes.includes(c))).toEqual([]);
  });
});

/** With REAUTH_SECONDS small: an old 2FA sign-in may not mint new codes (own app, after the other). */
describe('recovery codes: REAUTH_SECONDS', () => {
  let quick: TestApp;
  const smtp = useAppWithSmtp((app) => (quick = app), { env: { REAUTH_SECONDS: '1' } });

  it('401 REAUTHENTICATION_REQUIRED when the 2FA sign-in is older than REAUTH_SECONDS', async () => {
    const tenant = await createTenant(quick);
    const user = await createUser(quick, tenant);
    await enableEmailTwoFactor(quick, tenant, smtp);
    const answer = await registerByEmailAnswer(
      quick,
      smtp,
      tenant,
      user,
      `${user.username}@${tenant.slug}.test`,
    );
    await new Promise((r) => setTimeout(r, 2100));
    const res = await quick
      .http()
      .post('/v1/auth/me/recovery-codes')
      .set('Authorization', `Bearer ${answer.accessToken}`)
      .send({});
    expectErrorResponse(res, 401, 'REAUTHENTICATION_REQUIRED');
    // The codes of the first registration are untouched.
    const left = await quick
      .http()
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${answer.accessToken}`)
      .expect(200);
    expect(left.body.twoFactor.recoveryCodesRemaining).toBe(10);
  });
});
