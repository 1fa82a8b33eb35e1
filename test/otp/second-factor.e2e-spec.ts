import { Client } from 'pg';
import request from 'supertest';
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
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
  registerByEmail,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { queryDb } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { SecondInstance, useTwoInstances } from '../support/second-instance';
import { SmtpSink } from '../support/smtp-sink';
import { TestApp } from '../support/test-app';

/**
 * API.md v1.1 §1 and §2 through HTTP: a code completes only its own sign-in, replaced codes do not
 * count, maxAttempts holds under parallel requests (one and two instances, both channel types),
 * a verify commits whole or not at all, and the lockout ceiling.
 */
describe('the second factor (v1.1 §1, §2)', () => {
  let a: TestApp;
  let b: SecondInstance;
  const smtp = new SmtpSink();
  const limits = { THROTTLE_USER_PER_MINUTE: '100000', THROTTLE_IP_PER_MINUTE: '100000' };

  useTwoInstances((instances) => ({ primary: a, second: b } = instances), limits, smtp);

  const userView = (tenant: TestTenant, user: TestUser) => adminUserView(a, tenant, user.id);

  const failedReasons = async (tenant: TestTenant, user: TestUser) =>
    (await auditEvents(a, tenant.slug, { type: 'OTP_FAILED', userId: user.id }))
      .map((e) => e.data.reason)
      .reverse();

  /** A user registered for email 2FA on the sink, with `otp` settings. */
  async function emailUser(otp: Record<string, number> = {}, lockout?: Record<string, number>) {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    await enableEmailTwoFactor(a, tenant, smtp, {
      otp: { resendCooldownSeconds: 0, ...otp },
      ...(lockout ? { lockout } : {}),
    });
    const address = `${user.username}@${tenant.slug}.test`;
    await registerByEmail(a, smtp, tenant, user, address);
    return { tenant, user, address };
  }

  /** Until a backend of this database waits for a lock (a row or an index entry). */
  async function waitForLockWaiter(databaseUrl: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [row] = await queryDb<{ n: number }>(
        databaseUrl,
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (row.n > 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no request waited for the held row');
  }

  const login = async (tenant: TestTenant, user: TestUser) =>
    (await passwordLogin(a, tenant.slug, user.username, user.password).expect(200)).body as {
      mfaToken: string;
      delivery?: string;
    };

  /** Alice and Bob of one tenant registered with one address, no resend cooldown. */
  async function twoAccountsOnOneAddress() {
    const tenant = await createTenant(a);
    const alice = await createUser(a, tenant);
    const bob = await createUser(a, tenant);
    await enableEmailTwoFactor(a, tenant, smtp, { otp: { resendCooldownSeconds: 0 } });
    const shared = `shared-${tenant.slug}@acme.test`;
    await registerByEmail(a, smtp, tenant, alice, shared);
    await registerByEmail(a, smtp, tenant, bob, shared);
    return { tenant, alice, bob, shared };
  }

  it('two accounts on one address, 20 parallel logins on two instances: all answered, one live code for the address', async () => {
    const { tenant, alice, bob, shared } = await twoAccountsOnOneAddress();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const who = i % 2 === 0 ? alice : bob;
        return (i % 4 < 2 ? a.http() : request(b.url))
          .post('/v1/auth/login')
          .send({ tenant: tenant.slug, username: who.username, password: who.password });
      }),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of answers) expect(['SENT', 'ALREADY_SENT']).toContain(r.body.delivery);
    const live = await queryDb<{ n: number }>(
      a.databaseUrl,
      `SELECT count(*)::int AS n FROM otp_challenges
        WHERE tenant_id = $1 AND purpose = 'login' AND status = 'live' AND code_hash IS NOT NULL`,
      [tenant.id],
    );
    expect(live[0].n).toBe(1);
    // And the next sign-in gets its code and completes.
    const before = smtp.to(shared).length;
    const next = await login(tenant, alice);
    const code = await smtp.codeFor(shared, before + 1);
    await mfaCall(a, next.mfaToken, 'verify', { code }).expect(200);
  });

  it("a resend whose insert meets another account's code committed after its snapshot supersedes that code and sends (never 409)", async () => {
    const { tenant, alice, bob } = await twoAccountsOnOneAddress();
    const bobSignIn = await login(tenant, bob);
    await login(tenant, alice);
    // Alice's next code as the one-statement fresh claim writes it, held uncommitted: Bob's
    // resend supersedes under its own snapshot, so its insert waits on this row's index entry.
    const rival = new Client({ connectionString: a.databaseUrl });
    await rival.connect();
    try {
      await rival.query('BEGIN');
      await rival.query(
        `WITH old AS (
           UPDATE otp_challenges SET status = 'superseded'
            WHERE tenant_id = $1 AND user_id = $2 AND status = 'live' AND code_hash IS NOT NULL
           RETURNING *)
         INSERT INTO otp_challenges (tenant_id, user_id, mfa_session_id, announced_to, purpose,
           channel_type, destination, destination_key, code_hash, max_attempts, expires_at)
         SELECT tenant_id, user_id, mfa_session_id, announced_to, purpose, channel_type,
                destination, destination_key, code_hash, max_attempts, expires_at FROM old`,
        [tenant.id, alice.id],
      );
      const resend = mfaCall(a, bobSignIn.mfaToken, 'resend').then((r) => r);
      await waitForLockWaiter(a.databaseUrl);
      await rival.query('COMMIT');
      const answer = await resend;
      expect(answer.status).toBe(200);
      expect(answer.body.delivery).toBe('SENT');
    } finally {
      await rival.end();
    }
    const live = await queryDb<{ user_id: string }>(
      a.databaseUrl,
      `SELECT user_id FROM otp_challenges
        WHERE tenant_id = $1 AND purpose = 'login' AND status = 'live' AND code_hash IS NOT NULL`,
      [tenant.id],
    );
    expect(live).toEqual([{ user_id: bob.id }]);
  });

  it('a code completes only the sign-in it was sent for: through another sign-in it is other_sign_in, and not counted', async () => {
    const { tenant, user, address } = await emailUser({ maxAttempts: 1 });
    const first = await login(tenant, user);
    const firstCode = await smtp.codeFor(address, 2);
    const second = await login(tenant, user);
    const secondCode = await smtp.codeFor(address, 3);

    // sign-in 2's code through sign-in 1: refused, but sign-in 1's budget (maxAttempts 1) is intact
    expectErrorResponse(
      await mfaCall(a, first.mfaToken, 'verify', { code: secondCode }),
      401,
      'OTP_INVALID',
    );
    // sign-in 1's own code was replaced by sign-in 2's: superseded, not counted either
    expectErrorResponse(
      await mfaCall(a, first.mfaToken, 'verify', { code: firstCode }),
      401,
      'OTP_INVALID',
    );
    expect(await failedReasons(tenant, user)).toEqual(['other_sign_in', 'superseded']);
    expect((await userView(tenant, user)).twoFactor.consecutiveFailures).toBe(0);
    // sign-in 2 still completes with its code (its single attempt was not used by the above)
    expect(
      (await mfaCall(a, second.mfaToken, 'verify', { code: secondCode }).expect(200)).body.status,
    ).toBe('AUTHENTICATED');
  });

  it('a code announced as ALREADY_SENT belongs to the newest sign-in told about it', async () => {
    const { tenant, user, address } = await emailUser({ resendCooldownSeconds: 60 });
    const first = await login(tenant, user);
    expect(first.delivery).toBe('SENT');
    const code = await smtp.codeFor(address, 2);
    const second = await login(tenant, user);
    expect(second.delivery).toBe('ALREADY_SENT');
    expectErrorResponse(await mfaCall(a, first.mfaToken, 'verify', { code }), 401, 'OTP_INVALID');
    expect(await failedReasons(tenant, user)).toEqual(['other_sign_in']);
    await mfaCall(a, second.mfaToken, 'verify', { code }).expect(200);
  });

  it('a code replaced by a resend is superseded and does not use the new code’s attempts', async () => {
    const { tenant, user, address } = await emailUser({ maxAttempts: 1 });
    const signIn = await login(tenant, user);
    const oldCode = await smtp.codeFor(address, 2);
    await mfaCall(a, signIn.mfaToken, 'resend').expect(200);
    const newCode = await smtp.codeFor(address, 3);
    expectErrorResponse(
      await mfaCall(a, signIn.mfaToken, 'verify', { code: oldCode }),
      401,
      'OTP_INVALID',
    );
    expect(await failedReasons(tenant, user)).toEqual(['superseded']);
    await mfaCall(a, signIn.mfaToken, 'verify', { code: newCode }).expect(200);
  });

  /** Fires `n` wrong codes at once on one mfa token, alternating the two instances. */
  const parallelWrong = (mfaToken: string, n: number, wrong: (i: number) => string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 === 0 ? a.http() : request(b.url))
          .post('/v1/auth/2fa/verify')
          .set('Authorization', `Bearer ${mfaToken}`)
          .send({ code: wrong(i) }),
      ),
    );

  it('email: of 20 parallel wrong codes on two instances, exactly maxAttempts are judged', async () => {
    const { tenant, user, address } = await emailUser({ maxAttempts: 3 });
    const signIn = await login(tenant, user);
    const code = await smtp.codeFor(address, 2);
    const wrong = (i: number) => (Number(code) ^ (i + 1)).toString().padStart(6, '0').slice(-6);
    const results = await parallelWrong(signIn.mfaToken, 20, (i) =>
      wrong(i) === code ? '000000' : wrong(i),
    );
    const codes = results.map((r) => r.body.code as string);
    expect(codes.filter((c) => c === 'OTP_INVALID')).toHaveLength(2);
    expect(codes.filter((c) => c === 'OTP_ATTEMPTS_EXCEEDED')).toHaveLength(18);
    expect(await failedReasons(tenant, user)).toEqual(['wrong', 'wrong', 'wrong']);
    expect((await userView(tenant, user)).twoFactor.consecutiveFailures).toBe(3);
    // the code is dead: the right one too
    expectErrorResponse(
      await mfaCall(a, signIn.mfaToken, 'verify', { code }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
  });

  it('authenticator: of 20 parallel wrong codes on two instances, exactly maxAttempts are judged', async () => {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    await enableAuthenticatorTwoFactor(a, tenant, { otp: { maxAttempts: 3 } });
    const app = await enrollAuthenticator(a, tenant, user);
    const signIn = await login(tenant, user);
    const right = app.code(Date.now() / 1000 + 30);
    const results = await parallelWrong(signIn.mfaToken, 20, (i) =>
      String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const codes = results.map((r) => r.body.code as string);
    expect(codes.filter((c) => c === 'OTP_INVALID')).toHaveLength(2);
    expect(codes.filter((c) => c === 'OTP_ATTEMPTS_EXCEEDED')).toHaveLength(18);
    expect(await failedReasons(tenant, user)).toEqual(['wrong', 'wrong', 'wrong']);
    expectErrorResponse(
      await mfaCall(a, signIn.mfaToken, 'verify', { code: right }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
  });

  it('a verify is all or nothing: the connection killed while opening the session leaves the code usable (503)', async () => {
    const { tenant, user, address } = await emailUser();
    const signIn = await login(tenant, user);
    const code = await smtp.codeFor(address, 2);
    // After the code was judged and used, in the same statement: the session's refresh token
    // insert kills its own connection (as a crash or a failover would).
    await queryDb(
      a.databaseUrl,
      `
      CREATE OR REPLACE FUNCTION efcx_test_kill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id AND user_id = '${user.id}') THEN
          PERFORM pg_terminate_backend(pg_backend_pid());
        END IF;
        RETURN NEW;
      END $$`,
    );
    await queryDb(
      a.databaseUrl,
      `CREATE TRIGGER efcx_test_kill BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION efcx_test_kill()`,
    );
    try {
      const failed = await mfaCall(a, signIn.mfaToken, 'verify', { code });
      expectErrorResponse(failed, 503, 'SERVICE_UNAVAILABLE');
      expect(failed.headers['retry-after']).toBeDefined();
    } finally {
      await queryDb(a.databaseUrl, 'DROP TRIGGER efcx_test_kill ON refresh_tokens');
      await queryDb(a.databaseUrl, 'DROP FUNCTION efcx_test_kill()');
    }
    // nothing of it happened: no session, the challenge live and unspent, no verify event
    const sessions = await queryDb(a.databaseUrl, 'SELECT id FROM sessions WHERE user_id = $1', [
      user.id,
    ]);
    expect(sessions).toHaveLength(1); // the registration's sign-in only
    const types = (await auditEvents(a, tenant.slug, { userId: user.id })).map((e) => e.type);
    expect(types.filter((t) => t === 'OTP_VERIFIED')).toHaveLength(1); // the registration's
    // the same code now works, on the same sign-in
    const ok = await mfaCall(a, signIn.mfaToken, 'verify', { code }).expect(200);
    expect(ok.body.status).toBe('AUTHENTICATED');
  });

  it('the ceiling: 100 consecutive failures lock with no end, until an admin unlock', async () => {
    const { tenant, user, address } = await emailUser(
      { maxAttempts: 20 },
      { maxConsecutiveFailures: 100, durationSeconds: 60 },
    );
    let sent = 1;
    for (let signIn = 0; signIn < 5; signIn++) {
      const s = await login(tenant, user);
      const code = await smtp.codeFor(address, ++sent);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 20; i++) await mfaCall(a, s.mfaToken, 'verify', { code: wrong });
    }
    const view = (await userView(tenant, user)).twoFactor;
    expect(view).toEqual(
      expect.objectContaining({
        lockedUntil: null,
        lockedIndefinitely: true,
        consecutiveFailures: 100,
      }),
    );
    const locked = await passwordLogin(a, tenant.slug, user.username, user.password);
    expectErrorResponse(locked, 429, 'TWO_FACTOR_LOCKED');
    expect(locked.headers['retry-after']).toBeUndefined();
    expect(locked.body.retryAfterSeconds).toBeUndefined();
    const lockEvents = await auditEvents(a, tenant.slug, {
      type: 'TWO_FACTOR_LOCKED',
      userId: user.id,
    });
    expect(lockEvents[0].data).toEqual(
      expect.objectContaining({ indefinitely: true, consecutiveFailures: 100 }),
    );

    await a
      .http()
      .delete(`/v1/tenants/${tenant.slug}/users/${user.id}/2fa/lock`)
      .set('X-Api-Key', a.platformKey)
      .expect(204);
    expect((await userView(tenant, user)).twoFactor).toEqual(
      expect.objectContaining({ lockedIndefinitely: false, consecutiveFailures: 0 }),
    );
    const s = await login(tenant, user);
    await mfaCall(a, s.mfaToken, 'verify', { code: await smtp.codeFor(address, sent + 1) }).expect(
      200,
    );
  });
});
