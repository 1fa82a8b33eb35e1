import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  createTenant,
  createUser,
  strongPassword,
  TestTenant,
  TestUser,
  disableTenant,
} from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  registerByEmail,
  TwoFactorSettingsBody,
} from '../factories/two-factor.factory';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import { awayFromStepEdge, base32Decode, independentTotp } from '../support/independent-totp';
import {
  ROOM_FOR_PARALLEL_LOGINS,
  TestApp,
  UNREACHABLE_THROTTLE_LIMITS,
  useAppWithSmtp,
} from '../support/test-app';

/**
 * Attacks not covered elsewhere (see tokens, sessions, otp-concurrency, otp-rules,
 * authenticator-2fa, users and tenants specs for the rest). Each test has a control that shows the
 * refused request would otherwise have worked, so a missing protection makes it fail.
 */
describe('attacks', () => {
  let t: TestApp;
  // The throttler never answers: what refuses is the protection under test.
  const smtp = useAppWithSmtp((app) => (t = app), {
    env: { ...UNREACHABLE_THROTTLE_LIMITS, ...ROOM_FOR_PARALLEL_LOGINS },
  });

  let n = 0;
  const address = (tenant: TestTenant, tag: string) => `${tag}${++n}-${tenant.slug}@acme.test`;
  const platformGet = (path: string) => t.http().get(path).set('X-Api-Key', t.platformKey);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** Deliveries finish before the answer; this only catches a mail sent behind the answer's back. */
  const settle = () => new Promise((r) => setTimeout(r, 750));
  const mailsTo = (addresses: string[]) =>
    smtp.mails.filter((m) => m.to.some((a) => addresses.includes(a))).length;

  /** A tenant with email 2FA on; `otp`/`lockout` apply from the next login on. */
  async function emailTenant(overrides: Omit<TwoFactorSettingsBody, 'enabled' | 'channelId'> = {}) {
    const tenant = await createTenant(t);
    const channelId = await enableEmailTwoFactor(t, tenant, smtp, overrides);
    return { tenant, channelId };
  }

  /** A user of `tenant` registered for email 2FA (registration ends the cooldown). */
  async function registeredUser(
    tenant: TestTenant,
    overrides: { username?: string; password?: string } = {},
    to = address(tenant, 'u'),
  ) {
    const user = await createUser(t, tenant, overrides);
    await registerByEmail(t, smtp, tenant, user, to);
    return { user, to };
  }

  async function signIn(tenant: TestTenant, user: TestUser) {
    const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    return res.body as { status: string; mfaToken: string; delivery?: string };
  }

  const userView = async (tenant: TestTenant, id: string) =>
    (await platformGet(`/v1/tenants/${tenant.slug}/users/${id}`).expect(200)).body as Record<
      string,
      unknown
    >;

  async function auditEvents(tenant: TestTenant, type: string) {
    const res = await platformGet(
      `/v1/tenants/${tenant.slug}/audit-events?type=${type}&limit=200`,
    ).expect(200);
    return res.body.items as Array<{ userId: string | null; data: Record<string, unknown> }>;
  }

  /** Audit writes after a refusal are detached from the answer: wait until `count` are there. */
  async function waitForEvents(tenant: TestTenant, type: string, count: number) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const items = await auditEvents(tenant, type);
      if (items.length >= count || Date.now() > deadline) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  describe('one email code, several sign-ins racing', () => {
    // 20 parallel verifies on ONE mfa token: otp-concurrency.e2e-spec.ts. Here each sign-in has
    // its own mfa token, so spending the token cannot stop a second success: only the code can.
    it('10 sign-ins of one user share the live code; 20 parallel verifies across them: exactly one is signed in', async () => {
      const { tenant } = await emailTenant({ otp: { maxAttempts: 20 } });
      const { user, to } = await registeredUser(tenant);
      const signIns: Array<{ mfaToken: string; delivery?: string }> = [];
      for (let i = 0; i < 10; i++) signIns.push(await signIn(tenant, user));
      expect(signIns.map((s) => s.delivery)).toEqual(['SENT', ...Array(9).fill('ALREADY_SENT')]);
      const code = await smtp.codeFor(to, 2);

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          mfaCall(t, signIns[i % signIns.length].mfaToken, 'verify', { code }),
        ),
      );
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(winners[0].body.status).toBe('AUTHENTICATED');
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(401);
        expect(['OTP_INVALID', 'UNAUTHENTICATED']).toContain(r.body.code);
      }
      // The code is spent for every sign-in, not only for the winner's (whose token is spent).
      const winner = signIns[results.indexOf(winners[0]) % signIns.length];
      for (const s of signIns.filter((x) => x !== winner).slice(0, 3))
        expectErrorResponse(await mfaCall(t, s.mfaToken, 'verify', { code }), 401, 'OTP_INVALID');
      expectErrorResponse(
        await mfaCall(t, winner.mfaToken, 'verify', { code }),
        401,
        'UNAUTHENTICATED',
      );
      await t.http().get('/v1/auth/me').set(bearer(winners[0].body.accessToken)).expect(200);
      await settle();
      // The registration's verify and this one; no second sign-in was recorded as verified.
      expect(await waitForEvents(tenant, 'OTP_VERIFIED', 2)).toHaveLength(2);
      expect(await auditEvents(tenant, 'LOGIN_SUCCEEDED')).toHaveLength(2);
    });
  });

  describe('authenticator codes are never normalised', () => {
    async function authenticatorTenant() {
      const tenant = await createTenant(t);
      await enableAuthenticatorTwoFactor(t, tenant, { otp: { maxAttempts: 20 } });
      return tenant;
    }

    const opts = { algorithm: 'SHA1' as const, digits: 6, period: 30 };
    const FULLWIDTH = (s: string) =>
      [...s].map((c) => String.fromCharCode(0xff10 + Number(c))).join('');

    /** What a lenient parser would turn back into `code`; none of it is `code` exactly. */
    function variants(code: string, zeroLed: string): string[] {
      const stripped = zeroLed.replace(/^0+/, '') || '0'; // as a number would print it
      const list = [
        stripped,
        `+${stripped}`,
        ` ${code}`,
        `${code} `,
        `\t${code}`,
        `${code}\n`,
        `${code.slice(0, 3)} ${code.slice(3)}`,
        `${code.slice(0, 3)}-${code.slice(3)}`,
        FULLWIDTH(code),
      ];
      return [...new Set(list)];
    }

    it('a right TOTP code with its leading zero stripped, spaces, a dash or other digits is OTP_INVALID and counts; the exact digits then work', async () => {
      const tenant = await authenticatorTenant();
      const user = await createUser(t, tenant);
      const login = await signIn(tenant, user);
      expect(login.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');

      // A secret whose code in the window starts with 0 (a second register replaces the secret;
      // ~27% of secrets qualify, so this ends within a few tries).
      let secret: Buffer | undefined;
      let zeroLed = '';
      for (let i = 0; i < 60 && !zeroLed; i++) {
        await awayFromStepEdge(30, 8);
        const reg = await mfaCall(t, login.mfaToken, 'register', {}).expect(200);
        secret = base32Decode(reg.body.secret);
        const now = Date.now() / 1000;
        zeroLed =
          [now - 30, now, now + 30]
            .map((at) => independentTotp(secret!, opts, at))
            .find((c) => c.startsWith('0')) ?? '';
      }
      expect(zeroLed).toMatch(/^0\d{5}$/);
      const code = independentTotp(secret!, opts);

      const tried = variants(code, zeroLed);
      const answers: string[] = [];
      for (const bad of tried) {
        const res = await mfaCall(t, login.mfaToken, 'verify', { code: bad });
        answers.push(`${JSON.stringify(bad)} → ${res.status} ${res.body.code ?? res.body.status}`);
      }
      expect(answers).toEqual(tried.map((bad) => `${JSON.stringify(bad)} → 401 OTP_INVALID`));
      // Each one counted as a wrong attempt...
      expect((await userView(tenant, user.id)).twoFactor).toEqual(
        expect.objectContaining({ registered: false, consecutiveFailures: tried.length }),
      );
      // ...and the digits were right all along (control, while the step is still in the window).
      await mfaCall(t, login.mfaToken, 'verify', { code: zeroLed }).expect(200);
      // As a wrong code, not as a replay or anything else.
      const failed = await waitForEvents(tenant, 'OTP_FAILED', tried.length);
      expect(failed.map((e) => e.data.reason)).toEqual(Array(tried.length).fill('wrong'));

      // The spent step sent again in another form, in a new sign-in: still a wrong code (a
      // normaliser would turn it into the spent step and report a replay instead).
      const next = await signIn(tenant, user);
      expect(next.status).toBe('TWO_FACTOR_REQUIRED');
      for (const bad of [` ${zeroLed}`, zeroLed.replace(/^0+/, '')])
        expectErrorResponse(
          await mfaCall(t, next.mfaToken, 'verify', { code: bad }),
          401,
          'OTP_INVALID',
        );
      const after = await waitForEvents(tenant, 'OTP_FAILED', tried.length + 2);
      expect(after.map((e) => e.data.reason)).toEqual(Array(tried.length + 2).fill('wrong'));
    });
  });

  describe("tenant A's sign-in against tenant B", () => {
    /**
     * One person in two tenants: the same username, password and 2FA address in both (a
     * contractor of two contact centres, or an attacker who registered in B what A's user uses).
     */
    async function twins() {
      const { tenant: a } = await emailTenant();
      const { tenant: b } = await emailTenant();
      const creds = { username: `alice-${randomUUID().slice(0, 8)}`, password: strongPassword() };
      const to = address(a, 'twin');
      const inA = await registeredUser(a, creds, to);
      const inB = await registeredUser(b, creds, to);
      /** Mails 1 and 2 were the registrations; then A signs in, then B. */
      const signInBoth = async () => {
        const sa = await signIn(a, inA.user);
        const codeA = await smtp.codeFor(to, 3);
        const sb = await signIn(b, inB.user);
        const codeB = await smtp.codeFor(to, 4);
        expect([sa.delivery, sb.delivery]).toEqual(['SENT', 'SENT']);
        return { sa, sb, codeA, codeB };
      };
      return { a, b, inA, inB, signInBoth };
    }

    it("an mfa token of A is refused on B's admin routes, B's code does not verify it, and no body field names another user or tenant", async () => {
      const { a, b, inA, inB, signInBoth } = await twins();
      const { sa, sb, codeA, codeB } = await signInBoth();
      expect(codeB).not.toBe(codeA);

      for (const path of [
        `/v1/tenants/${b.slug}`,
        `/v1/tenants/${b.slug}/users`,
        `/v1/tenants/${b.slug}/users/${inB.user.id}`,
        `/v1/tenants/${b.slug}/audit-events`,
      ])
        expectErrorResponse(
          await t.http().get(path).set(bearer(sa.mfaToken)),
          401,
          'UNAUTHENTICATED',
        );
      expectErrorResponse(
        await t
          .http()
          .patch(`/v1/tenants/${b.slug}/users/${inB.user.id}`)
          .set(bearer(sa.mfaToken))
          .send({ roles: ['admin'] }),
        401,
        'UNAUTHENTICATED',
      );

      // The code is the user's own: the twin's newer code, in the same mailbox, is just wrong.
      expectErrorResponse(
        await mfaCall(t, sa.mfaToken, 'verify', { code: codeB }),
        401,
        'OTP_INVALID',
      );
      // The subject comes from the token, never from the body.
      for (const extra of [
        { userId: inB.user.id },
        { tenant: b.slug },
        { tenantId: b.id },
        { sub: inB.user.id },
      ]) {
        const res = await mfaCall(t, sa.mfaToken, 'verify', { code: codeB, ...extra });
        expectValidationError(res, Object.keys(extra)[0]);
      }
      expectValidationError(
        await mfaCall(t, sa.mfaToken, 'resend', { userId: inB.user.id }),
        'userId',
      );

      // Controls: each code works with its own sign-in (B's login did not supersede A's code: that
      // is per tenant), and the result is its own tenant's user.
      const okB = await mfaCall(t, sb.mfaToken, 'verify', { code: codeB }).expect(200);
      const okA = await mfaCall(t, sa.mfaToken, 'verify', { code: codeA }).expect(200);
      const meA = await t.http().get('/v1/auth/me').set(bearer(okA.body.accessToken)).expect(200);
      expect(meA.body).toEqual(expect.objectContaining({ id: inA.user.id, tenant: a.slug }));
      const meB = await t.http().get('/v1/auth/me').set(bearer(okB.body.accessToken)).expect(200);
      expect(meB.body).toEqual(expect.objectContaining({ id: inB.user.id, tenant: b.slug }));
      // ...and B's user was not changed by the refused PATCH.
      expect((await userView(b, inB.user.id)).roles).toEqual(['agent']);
      // sharedEmail speaks of this tenant only: it tells A's admin nothing about tenant B.
      expect((await userView(a, inA.user.id)).sharedEmail).toBe(false);
    });

    it("disabling tenant A ends A's pending sign-ins at once; B's go on", async () => {
      const { a, signInBoth } = await twins();
      const { sa, sb, codeA, codeB } = await signInBoth();
      await disableTenant(t, a);
      expectErrorResponse(
        await mfaCall(t, sa.mfaToken, 'verify', { code: codeA }),
        401,
        'UNAUTHENTICATED',
      );
      expectErrorResponse(await mfaCall(t, sa.mfaToken, 'resend'), 401, 'UNAUTHENTICATED');
      expectErrorResponse(
        await mfaCall(t, sa.mfaToken, 'register', { destination: 'x@acme.test' }),
        401,
        'UNAUTHENTICATED',
      );
      await mfaCall(t, sb.mfaToken, 'verify', { code: codeB }).expect(200);
    });
  });

  describe('mass assignment: server-owned fields in request bodies', () => {
    const SERVER_OWNED: Array<Record<string, unknown>> = [
      { id: randomUUID() },
      { tenantId: randomUUID() },
      { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB' },
      { password_hash: '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB' },
      { twoFactorVersion: 0 },
      { passwordVersion: 0 },
      { createdAt: '2000-01-01T00:00:00.000Z' },
      { roles: ['admin'] },
    ];
    const fieldOf = (extra: Record<string, unknown>) => Object.keys(extra)[0];

    /** Runs every case, then reports the ones that were not a 400 naming the field. */
    async function expectAllRefused(
      cases: Array<Record<string, unknown>>,
      send: (extra: Record<string, unknown>) => Promise<Response>,
    ) {
      const notRefused: string[] = [];
      for (const extra of cases) {
        const res = await send(extra);
        try {
          expectValidationError(res, fieldOf(extra));
        } catch {
          notRefused.push(`${JSON.stringify(extra)} → ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
      expect(notRefused).toEqual([]);
    }

    it('login: a right password with server-owned fields is 400 and signs nobody in', async () => {
      const tenant = await createTenant(t); // 2FA off: a login that got through would be a token
      const user = await createUser(t, tenant);
      const before = await userView(tenant, user.id);
      await expectAllRefused(
        [...SERVER_OWNED, { userId: randomUUID() }, { amr: ['pwd', 'otp'] }],
        (extra) => passwordLogin(t, tenant.slug, user.username, user.password, extra),
      );
      expect(await userView(tenant, user.id)).toEqual(before);
      expect(await auditEvents(tenant, 'LOGIN_SUCCEEDED')).toHaveLength(0);
      // Control: the same body without the extra field signs in, with the stored roles.
      const ok = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      const me = await t.http().get('/v1/auth/me').set(bearer(ok.body.accessToken)).expect(200);
      expect(me.body.roles).toEqual(['agent']);
    });

    it('2FA register (email): an address with server-owned fields is 400, sends nothing, registers nothing', async () => {
      const { tenant } = await emailTenant();
      const user = await createUser(t, tenant);
      const s = await signIn(tenant, user);
      expect(s.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
      const to = address(tenant, 'reg');
      await expectAllRefused(
        [
          ...SERVER_OWNED,
          { userId: randomUUID() },
          { registered: true },
          { confirmedAt: new Date() },
        ],
        (extra) => mfaCall(t, s.mfaToken, 'register', { destination: to, ...extra }),
      );
      await settle();
      expect(smtp.to(to)).toHaveLength(0);
      expect((await userView(tenant, user.id)).twoFactor).toEqual(
        expect.objectContaining({ registered: false, destination: null }),
      );
      // Control: the same address alone gets a code, which registers it.
      await mfaCall(t, s.mfaToken, 'register', { destination: to }).expect(200);
      await mfaCall(t, s.mfaToken, 'verify', { code: await smtp.codeFor(to, 1) }).expect(200);
      expect((await userView(tenant, user.id)).twoFactor).toEqual(
        expect.objectContaining({ registered: true, destination: to }),
      );
    });

    it('2FA register (authenticator): a secret or parameters of the caller’s choosing are 400', async () => {
      const tenant = await createTenant(t);
      await enableAuthenticatorTwoFactor(t, tenant);
      const user = await createUser(t, tenant);
      const s = await signIn(tenant, user);
      const chosen = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      await expectAllRefused(
        [
          { secret: chosen },
          { params: { digits: 6, periodSeconds: 30, algorithm: 'SHA1' } },
          { digits: 6 },
          { userId: randomUUID() },
          { twoFactorVersion: 0 },
        ],
        (extra) => mfaCall(t, s.mfaToken, 'register', extra),
      );
      // The chosen secret was not enrolled: its code does not verify.
      await awayFromStepEdge(30, 3);
      expectErrorResponse(
        await mfaCall(t, s.mfaToken, 'verify', {
          code: independentTotp(base32Decode(chosen), { algorithm: 'SHA1', digits: 6, period: 30 }),
        }),
        401,
        'OTP_INVALID',
      );
      // Control: an empty body enrolls a secret of the service's choosing.
      const reg = await mfaCall(t, s.mfaToken, 'register', {}).expect(200);
      expect(reg.body.secret).not.toBe(chosen);
    });

    it('PATCH /v1/tenants/{slug}: a valid change with a server-owned field is 400 and changes nothing', async () => {
      const tenant = await createTenant(t);
      const path = `/v1/tenants/${tenant.slug}`;
      const before = (await platformGet(path).expect(200)).body;
      await expectAllRefused(
        [...SERVER_OWNED, { tenant_id: randomUUID() }, { settings: { enabled: true } }],
        (extra) =>
          t
            .http()
            .patch(path)
            .set('X-Api-Key', t.platformKey)
            .send({ name: 'Renamed by mass assignment', status: 'disabled', ...extra }),
      );
      expect((await platformGet(path).expect(200)).body).toEqual(before);
      // Still active: its admin signs in.
      await passwordLogin(t, tenant.slug, tenant.admin.username, tenant.admin.password).expect(200);
    });

    it('users: a valid create or update with a server-owned field is 400 and changes nothing', async () => {
      const tenant = await createTenant(t);
      const users = `/v1/tenants/${tenant.slug}/users`;
      const extras = [
        ...SERVER_OWNED.filter((e) => fieldOf(e) !== 'roles'), // roles is a field of both
        { updatedAt: '2000-01-01T00:00:00.000Z' },
        { twoFactor: { registered: true, channelType: 'email', destination: 'evil@acme.test' } },
        { sharedEmail: true },
        { password_version: 0 },
      ];
      const username = `mass-${randomUUID().slice(0, 8)}`;
      await expectAllRefused(extras, (extra) =>
        t
          .http()
          .post(users)
          .set('X-Api-Key', t.platformKey)
          .send({ username, password: strongPassword(), roles: ['agent'], ...extra }),
      );
      const listed = await platformGet(`${users}?limit=200`).expect(200);
      expect(listed.body.items.map((u: { username: string }) => u.username)).not.toContain(
        username,
      );

      const user = await createUser(t, tenant);
      const before = await userView(tenant, user.id);
      await expectAllRefused(extras, (extra) =>
        t
          .http()
          .patch(`${users}/${user.id}`)
          .set('X-Api-Key', t.platformKey)
          .send({ displayName: 'Mass Assigned', roles: ['admin'], ...extra }),
      );
      expect(await userView(tenant, user.id)).toEqual(before);
      // Not disabled, password unchanged, sessions not ended.
      await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    });

    it("channels and 2FA settings: another tenant's id in the body is 400 and lands nowhere", async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const channels = (x: TestTenant) => `/v1/tenants/${x.slug}/channels`;
      const email = {
        type: 'email',
        name: 'Smuggled',
        enabled: true,
        config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'x <x@acme.test>' },
      };
      await expectAllRefused(
        [{ tenantId: b.id }, { id: randomUUID() }, { createdAt: '2000-01-01T00:00:00.000Z' }],
        (extra) =>
          t
            .http()
            .post(channels(a))
            .set('X-Api-Key', t.platformKey)
            .send({ ...email, ...extra }),
      );
      for (const x of [a, b])
        expect((await platformGet(channels(x)).expect(200)).body.items).toEqual([]);

      const channelId = await enableEmailTwoFactor(t, a, smtp);
      const one = `${channels(a)}/${channelId}`;
      const before = (await platformGet(one).expect(200)).body;
      await expectAllRefused([{ tenantId: b.id }, { id: randomUUID() }], (extra) =>
        t
          .http()
          .patch(one)
          .set('X-Api-Key', t.platformKey)
          .send({ name: 'Renamed', ...extra }),
      );
      expect((await platformGet(one).expect(200)).body).toEqual(before);

      const settings = `/v1/tenants/${a.slug}/settings/2fa`;
      const beforeSettings = (await platformGet(settings).expect(200)).body;
      await expectAllRefused([{ tenantId: b.id }], (extra) =>
        t
          .http()
          .put(settings)
          .set('X-Api-Key', t.platformKey)
          .send({ enabled: false, channelId: null, ...extra }),
      );
      expect((await platformGet(settings).expect(200)).body).toEqual(beforeSettings);
    });
  });

  describe('email bombing', () => {
    /** Resend/register refusals of API.md, each with its retry hint where the contract gives one. */
    function expectResendRefusal(res: Response, allowed: string[]) {
      expect(res.status).toBe(429);
      expect(allowed).toContain(res.body.code);
      expectErrorResponse(res, 429, res.body.code);
      if (res.body.code === 'OTP_RESEND_COOLDOWN') {
        expect(res.body.retryAfterSeconds).toBeGreaterThan(0);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }

    it('50 parallel logins, then 50 parallel resends on one sign-in and on 50 sign-ins: one mail per cooldown', async () => {
      const { tenant } = await emailTenant(); // resendCooldownSeconds 60, maxResendsPerLogin 5
      const { user, to } = await registeredUser(tenant);
      const mailsBefore = smtp.to(to).length;

      const logins = await Promise.all(
        Array.from({ length: 50 }, () =>
          passwordLogin(t, tenant.slug, user.username, user.password),
        ),
      );
      expect(logins.map((r) => r.status)).toEqual(Array(50).fill(200));
      const deliveries = logins.map((r) => r.body.delivery as string);
      expect(deliveries.filter((d) => d === 'SENT')).toHaveLength(1);
      expect(deliveries.filter((d) => d !== 'SENT')).toEqual(Array(49).fill('ALREADY_SENT'));
      const tokens = logins.map((r) => r.body.mfaToken as string);

      const onOne = await Promise.all(tokens.map(() => mfaCall(t, tokens[0], 'resend')));
      for (const r of onOne) expectResendRefusal(r, ['OTP_RESEND_COOLDOWN']);
      const onEach = await Promise.all(tokens.map((token) => mfaCall(t, token, 'resend')));
      for (const r of onEach) expectResendRefusal(r, ['OTP_RESEND_COOLDOWN']);

      await settle();
      expect(smtp.to(to).length - mailsBefore).toBe(1);
      // Control: that one mail carries the live code. It completes exactly one of the 50 sign-ins,
      // the newest one told about it (v1.1 §1); through the others it is refused, uncounted.
      const code = await smtp.codeFor(to);
      const verifies = await Promise.all(
        tokens.map((token) => mfaCall(t, token, 'verify', { code })),
      );
      expect(verifies.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of verifies.filter((x) => x.status !== 200))
        expectErrorResponse(r, 401, 'OTP_INVALID');
    });

    it('no cooldown: 50 parallel resends on one sign-in send at most maxResendsPerLogin codes', async () => {
      const { tenant } = await emailTenant({
        otp: { resendCooldownSeconds: 0, maxResendsPerLogin: 3 },
      });
      const { user, to } = await registeredUser(tenant);
      const s = await signIn(tenant, user);
      expect(s.delivery).toBe('SENT');
      await smtp.waitFor(to, 2);
      const mailsBefore = smtp.to(to).length;

      const results = await Promise.all(
        Array.from({ length: 50 }, () => mfaCall(t, s.mfaToken, 'resend')),
      );
      const sent = results.filter((r) => r.status === 200);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.length).toBeLessThanOrEqual(3);
      for (const r of sent) expect(r.body.delivery).toBe('SENT');
      for (const r of results.filter((x) => x.status !== 200))
        expectResendRefusal(r, ['OTP_RESEND_LIMIT', 'OTP_RESEND_COOLDOWN']);
      expectErrorResponse(await mfaCall(t, s.mfaToken, 'resend'), 429, 'OTP_RESEND_LIMIT');

      await settle();
      // One mail per SENT answer, never more than 1 + maxResendsPerLogin for the sign-in.
      expect(smtp.to(to).length - mailsBefore).toBe(sent.length);
      expect(smtp.to(to).length - mailsBefore + 1).toBeLessThanOrEqual(1 + 3);
    });

    it('50 parallel registers to 50 addresses, on one sign-in and on 50 sign-ins: one mail per cooldown', async () => {
      const { tenant } = await emailTenant(); // resendCooldownSeconds 60
      const user = await createUser(t, tenant);
      const targets = Array.from({ length: 100 }, () => address(tenant, 'victim'));

      const first = await signIn(tenant, user);
      expect(first.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
      const onOne = await Promise.all(
        targets
          .slice(0, 50)
          .map((to) => mfaCall(t, first.mfaToken, 'register', { destination: to })),
      );
      const sent = onOne.filter((r) => r.status === 200);
      expect(sent).toHaveLength(1);
      expect(sent[0].body.delivery).toBe('SENT');
      for (const r of onOne.filter((x) => x.status !== 200))
        expectResendRefusal(r, ['OTP_RESEND_COOLDOWN']);

      // New sign-ins do not restart the cooldown: it is the user's, whichever sign-in asks.
      const logins = await Promise.all(
        Array.from({ length: 50 }, () =>
          passwordLogin(t, tenant.slug, user.username, user.password),
        ),
      );
      expect(logins.map((r) => r.body.status)).toEqual(
        Array(50).fill('TWO_FACTOR_REGISTRATION_REQUIRED'),
      );
      const onEach = await Promise.all(
        logins.map((r, i) =>
          mfaCall(t, r.body.mfaToken, 'register', { destination: targets[50 + i] }),
        ),
      );
      for (const r of onEach) expectResendRefusal(r, ['OTP_RESEND_COOLDOWN']);

      await settle();
      expect(mailsTo(targets)).toBe(1);
    });

    it('no cooldown: 50 parallel registers on one sign-in send at most 1 + maxResendsPerLogin codes', async () => {
      const { tenant } = await emailTenant({
        otp: { resendCooldownSeconds: 0, maxResendsPerLogin: 3 },
      });
      const user = await createUser(t, tenant);
      const targets = Array.from({ length: 50 }, () => address(tenant, 'victim'));
      const s = await signIn(tenant, user);
      const results = await Promise.all(
        targets.map((to) => mfaCall(t, s.mfaToken, 'register', { destination: to })),
      );
      const sent = results.filter((r) => r.status === 200);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.length).toBeLessThanOrEqual(1 + 3);
      for (const r of results.filter((x) => x.status !== 200))
        expectResendRefusal(r, ['OTP_RESEND_LIMIT', 'OTP_RESEND_COOLDOWN']);
      await settle();
      expect(mailsTo(targets)).toBe(sent.length);
    });
  });
});
