import request from 'supertest';
import { Client } from 'pg';
import { SessionPurgeJob } from '../../src/sessions/session-purge.job';
import { AuditEventItem } from '../support/audit-events';
import {
  createTenant,
  createUser,
  TestTenant,
  TestUser,
  updateUser,
} from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  resetTwoFactor,
} from '../factories/two-factor.factory';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import { SecondInstance, useTwoInstances } from '../support/second-instance';
import {
  useAppWithSmtp,
  useTestApp,
  TestApp,
  UNREACHABLE_THROTTLE_LIMITS,
} from '../support/test-app';
import { claimsOf } from '../support/jwt-claims';

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** An AUTHENTICATED answer's token pair, as sign-ins and refreshes hand it out. */
const AUTHENTICATED = {
  status: 'AUTHENTICATED',
  accessToken: expect.any(String),
  refreshToken: expect.stringMatching(REFRESH_TOKEN),
  tokenType: 'Bearer',
  expiresIn: 900,
};

interface Pair {
  accessToken: string;
  refreshToken: string;
}

async function signIn(t: TestApp, tenant: TestTenant, user: TestUser): Promise<Pair> {
  const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
  expect(res.body).toEqual({ ...AUTHENTICATED, deviceToken: expect.stringMatching(REFRESH_TOKEN) });
  return res.body as Pair;
}

const refresh = (t: TestApp, refreshToken: unknown) =>
  t.http().post('/v1/auth/refresh').send({ refreshToken });
const me = (t: TestApp, accessToken: string) =>
  t.http().get('/v1/auth/me').set('Authorization', `Bearer ${accessToken}`);

async function events(t: TestApp, tenant: TestTenant, type: string): Promise<AuditEventItem[]> {
  const res = await t
    .http()
    .get(`/v1/tenants/${tenant.slug}/audit-events`)
    .query({ type, limit: 100 })
    .set('X-Api-Key', t.platformKey)
    .expect(200);
  return res.body.items as AuditEventItem[];
}

async function sql<T = Record<string, unknown>>(
  t: TestApp,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: t.databaseUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('sessions: refresh, logout and revocation', () => {
  let t: TestApp;
  let tenant: TestTenant;
  useTestApp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS, captureLogs: true });
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  it('rotates: a new pair each time, same session and amr, the user read fresh', async () => {
    const user = await createUser(t, tenant);
    const first = await signIn(t, tenant, user);
    const sid = claimsOf(first.accessToken).sid;

    const res = await refresh(t, first.refreshToken).expect(200);
    expect(res.body).toEqual(AUTHENTICATED);
    expect(res.body.refreshToken).not.toBe(first.refreshToken);
    const claims = claimsOf(res.body.accessToken);
    expect(claims).toMatchObject({ sid, amr: ['pwd'], sub: user.id, tid: tenant.slug });
    expect(claims.jti).not.toBe(claimsOf(first.accessToken).jti);
    await me(t, res.body.accessToken).expect(200);

    // A role granted since sign-in is in the next access token.
    await updateUser(t, tenant, user.id, { roles: ['agent', 'supervisor'] });
    const again = await refresh(t, res.body.refreshToken).expect(200);
    expect(claimsOf(again.body.accessToken).roles).toEqual(['agent', 'supervisor']);

    const refreshed = (await events(t, tenant, 'SESSION_REFRESHED')).filter(
      (e) => e.userId === user.id,
    );
    expect(refreshed).toHaveLength(2);
    expect(refreshed[0]).toMatchObject({
      actor: { type: 'user', id: user.id },
      data: { sessionId: sid },
    });
    const login = (await events(t, tenant, 'LOGIN_SUCCEEDED')).find((e) => e.userId === user.id);
    expect(login?.data).toEqual({
      amr: ['pwd'],
      acr: 'pwd',
      sessionId: sid,
      deviceId: expect.any(String),
    });
  });

  it('a used refresh token revokes the session: the newest refresh token and access token fail too', async () => {
    const user = await createUser(t, tenant);
    const first = await signIn(t, tenant, user);
    const second = (await refresh(t, first.refreshToken).expect(200)).body as Pair;

    expectErrorResponse(await refresh(t, first.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await refresh(t, second.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await me(t, second.accessToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await me(t, first.accessToken), 401, 'UNAUTHENTICATED');

    const revoked = (await events(t, tenant, 'SESSION_REVOKED')).filter(
      (e) => e.userId === user.id,
    );
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      actor: { type: 'user', id: user.id },
      data: { reason: 'reuse', sessionId: claimsOf(first.accessToken).sid },
    });
    // Another sign-in of the same user is another session: untouched.
    const other = await signIn(t, tenant, user);
    await refresh(t, other.refreshToken).expect(200);
  });

  it('logout ends the session at once: access token, refresh token, and a second logout', async () => {
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    const keep = await signIn(t, tenant, user); // a second device
    await me(t, pair.accessToken).expect(200);

    await t
      .http()
      .post('/v1/auth/logout')
      .set('Authorization', `Bearer ${pair.accessToken}`)
      .expect(204);
    expectErrorResponse(await me(t, pair.accessToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await refresh(t, pair.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(
      await t.http().post('/v1/auth/logout').set('Authorization', `Bearer ${pair.accessToken}`),
      401,
      'UNAUTHENTICATED',
    );
    await me(t, keep.accessToken).expect(200);
    await refresh(t, keep.refreshToken).expect(200);

    const revoked = (await events(t, tenant, 'SESSION_REVOKED')).filter(
      (e) => e.userId === user.id,
    );
    expect(revoked.map((e) => e.data)).toEqual([
      { reason: 'logout', sessionId: claimsOf(pair.accessToken).sid },
    ]);
  });

  it('logout wants an access token: none, or a refresh token in its place, is 401', async () => {
    expectErrorResponse(await t.http().post('/v1/auth/logout'), 401, 'UNAUTHENTICATED');
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    expectErrorResponse(
      await t.http().post('/v1/auth/logout').set('Authorization', `Bearer ${pair.refreshToken}`),
      401,
      'UNAUTHENTICATED',
    );
    await me(t, pair.accessToken).expect(200);
  });

  it('refuses malformed bodies with 400 and anything but a current token with 401', async () => {
    expectValidationError(await t.http().post('/v1/auth/refresh').send({}), 'refreshToken');
    expectValidationError(await refresh(t, 12345), 'refreshToken');
    expectValidationError(await refresh(t, ''), 'refreshToken');
    expectValidationError(await refresh(t, 'x'.repeat(2049)), 'refreshToken');
    expectValidationError(
      await t.http().post('/v1/auth/refresh').send({ refreshToken: 'a', extra: 1 }),
      'extra',
    );
    for (const wrong of ['nope', 'A'.repeat(43), 'A'.repeat(44), '../../etc/passwd']) {
      expectErrorResponse(await refresh(t, wrong), 401, 'UNAUTHENTICATED');
    }
    // An access token is not a refresh token.
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    expectErrorResponse(await refresh(t, pair.accessToken), 401, 'UNAUTHENTICATED');
    await refresh(t, pair.refreshToken).expect(200);
  });

  it('20 parallel refreshes with one token: exactly one new pair, and the race counts as reuse', async () => {
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)),
    );
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 200))
      expectErrorResponse(r, 401, 'UNAUTHENTICATED');
    // A copy of the token was presented after it had been used: the session is gone.
    expectErrorResponse(await refresh(t, ok[0].body.refreshToken), 401, 'UNAUTHENTICATED');
    const revoked = (await events(t, tenant, 'SESSION_REVOKED')).filter(
      (e) => e.userId === user.id,
    );
    expect(revoked.map((e) => e.data.reason)).toEqual(['reuse']);
    const rows = await sql<{ tokens: number; live: number }>(
      t,
      `SELECT count(*)::int AS tokens, count(*) FILTER (WHERE used_at IS NULL)::int AS live
         FROM refresh_tokens WHERE session_id = $1`,
      [claimsOf(pair.accessToken).sid],
    );
    expect(rows[0]).toEqual({ tokens: 2, live: 1 });
  });

  describe('admin actions end every session of the users concerned', () => {
    const patchUser = (user: TestUser, changes: Record<string, unknown>) =>
      updateUser(t, tenant, user.id, changes);

    async function expectEnded(pairs: Pair[]) {
      for (const p of pairs) {
        expectErrorResponse(await refresh(t, p.refreshToken), 401, 'UNAUTHENTICATED');
        expectErrorResponse(await me(t, p.accessToken), 401, 'UNAUTHENTICATED');
      }
    }

    async function revokedReasons(user: TestUser) {
      return (await events(t, tenant, 'SESSION_REVOKED'))
        .filter((e) => e.userId === user.id)
        .map((e) => ({
          actor: e.actor.type,
          reason: e.data.reason,
          sessions: (e.data.sessionIds as string[]).length,
        }));
    }

    it('disabling the user; enabling them again does not bring the sessions back', async () => {
      const user = await createUser(t, tenant);
      const bystander = await createUser(t, tenant);
      const pairs = [await signIn(t, tenant, user), await signIn(t, tenant, user)];
      const other = await signIn(t, tenant, bystander);

      await patchUser(user, { disabled: true });
      await expectEnded(pairs);
      await patchUser(user, { disabled: false });
      await expectEnded(pairs);
      await refresh(t, other.refreshToken).expect(200);
      expect(await revokedReasons(user)).toEqual([
        { actor: 'platform', reason: 'user_disabled', sessions: 2 },
      ]);
      // Signing in again opens a new, working session.
      const fresh = await signIn(t, tenant, user);
      await refresh(t, fresh.refreshToken).expect(200);
    });

    it.each([
      {
        change: 'changing the password',
        act: (user: TestUser) => patchUser(user, { password: 'a-new-password-123' }),
        reason: 'password_changed',
      },
      {
        change: "resetting the user's 2FA",
        act: (user: TestUser) => resetTwoFactor(t, tenant, user.id),
        reason: 'two_factor_reset',
      },
    ])('$change', async ({ act, reason }) => {
      const user = await createUser(t, tenant);
      const pair = await signIn(t, tenant, user);
      await act(user);
      await expectEnded([pair]);
      expect(await revokedReasons(user)).toEqual([{ actor: 'platform', reason, sessions: 1 }]);
    });

    it('a change that ends nothing writes no event (display name)', async () => {
      const user = await createUser(t, tenant);
      const pair = await signIn(t, tenant, user);
      await patchUser(user, { displayName: 'Someone' });
      await refresh(t, pair.refreshToken).expect(200);
      expect(await revokedReasons(user)).toEqual([]);
    });

    it('disabling the tenant ends every session of its users; enabling it again does not revive them', async () => {
      const other = await createTenant(t);
      const a = await createUser(t, other);
      const b = await createUser(t, other);
      const pairs = [await signIn(t, other, a), await signIn(t, other, b)];
      const elsewhere = await signIn(t, tenant, await createUser(t, tenant));

      const setStatus = (status: string) =>
        t
          .http()
          .patch(`/v1/tenants/${other.slug}`)
          .set('X-Api-Key', t.platformKey)
          .send({ status })
          .expect(200);
      await setStatus('disabled');
      await setStatus('active');
      await expectEnded(pairs);
      await refresh(t, elsewhere.refreshToken).expect(200);
      const revoked = await events(t, other, 'SESSION_REVOKED');
      expect(revoked.map((e) => [e.userId, e.actor.type, e.data])).toEqual([
        [null, 'platform', { reason: 'tenant_disabled', sessions: 2 }],
      ]);
    });
  });

  it('stores no refresh token in clear, and logs none', async () => {
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    const next = (await refresh(t, pair.refreshToken).expect(200)).body as Pair;
    const tokens = [pair.refreshToken, next.refreshToken];
    for (const table of ['sessions', 'refresh_tokens', 'audit_events']) {
      const dump = JSON.stringify(await sql(t, `SELECT * FROM ${table}`));
      for (const token of tokens) {
        expect(dump).not.toContain(token);
        expect(dump).not.toContain(Buffer.from(token, 'base64url').toString('hex'));
      }
    }
    const hashes = await sql<{ token_hash: Buffer }>(
      t,
      `SELECT token_hash FROM refresh_tokens WHERE session_id = $1`,
      [claimsOf(pair.accessToken).sid],
    );
    expect(hashes).toHaveLength(2);
    for (const h of hashes) {
      expect(h.token_hash).toHaveLength(32);
      for (const token of tokens)
        expect(h.token_hash.equals(Buffer.from(token, 'base64url'))).toBe(false);
    }
    for (const token of tokens) expect(t.logs()).not.toContain(token);
    expect(t.logs()).toContain('/v1/auth/refresh'); // the requests were logged, the tokens not
  });

  it('the purge removes ended sessions after the retention, with their tokens, and keeps live ones', async () => {
    const user = await createUser(t, tenant);
    const ended = await signIn(t, tenant, user);
    const live = await signIn(t, tenant, user);
    await t
      .http()
      .post('/v1/auth/logout')
      .set('Authorization', `Bearer ${ended.accessToken}`)
      .expect(204);
    const endedSid = claimsOf(ended.accessToken).sid;
    const liveSid = claimsOf(live.accessToken).sid;
    const count = async (sid: unknown) =>
      (
        await sql<{ n: number }>(
          t,
          `SELECT (SELECT count(*) FROM sessions WHERE id = $1)::int
                + (SELECT count(*) FROM refresh_tokens WHERE session_id = $1)::int AS n`,
          [sid],
        )
      )[0].n;

    const purge = t.app.get(SessionPurgeJob);
    await purge.run();
    expect(await count(endedSid)).toBe(2); // within the retention (OTP_RETENTION_SECONDS, 3600)
    // Move its end past the retention.
    await sql(t, `UPDATE sessions SET expires_at = now() - interval '3601 seconds' WHERE id = $1`, [
      endedSid,
    ]);
    expect(await purge.run()).toBeGreaterThanOrEqual(1);
    expect(await count(endedSid)).toBe(0);
    expect(await count(liveSid)).toBe(2);
    await refresh(t, live.refreshToken).expect(200);
  });
});

describe('sessions: with 2FA, the session keeps amr ["pwd","otp"]', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS });

  it('verify answers carry a refresh token; refresh keeps the amr of the sign-in', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant, { email: 'sam@acme.test' });
    await enableEmailTwoFactor(t, tenant, smtp);
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).not.toHaveProperty('refreshToken');
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {
      destination: 'sam@acme.test',
    }).expect(200);
    expect(reg.body).not.toHaveProperty('refreshToken');
    const code = await smtp.codeFor('sam@acme.test');
    const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);
    expect(verified.body).toEqual({
      ...AUTHENTICATED,
      deviceToken: expect.stringMatching(REFRESH_TOKEN),
      // The first registration's recovery codes (v1.1 §6).
      recoveryCodes: expect.any(Array),
    });
    const res = await refresh(t, verified.body.refreshToken).expect(200);
    expect(claimsOf(res.body.accessToken)).toMatchObject({
      amr: ['pwd', 'otp'],
      sid: claimsOf(verified.body.accessToken).sid,
    });
    // The mfa token is spent and never refreshes anything.
    expectErrorResponse(await refresh(t, login.body.mfaToken), 401, 'UNAUTHENTICATED');
  });
});

describe('sessions: idle timeout and maximum age (short values)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  useTestApp((app) => (t = app), {
    env: {
      ...UNREACHABLE_THROTTLE_LIMITS,
      SESSION_IDLE_TIMEOUT_SECONDS: '2',
      SESSION_MAX_AGE_SECONDS: '4',
    },
  });
  beforeAll(async () => {
    tenant = await createTenant(t);
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a session not refreshed within the idle timeout ends (refresh and access token)', async () => {
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    await sleep(2300);
    expectErrorResponse(await refresh(t, pair.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await me(t, pair.accessToken), 401, 'UNAUTHENTICATED');
    const revoked = (await events(t, tenant, 'SESSION_REVOKED')).filter(
      (e) => e.userId === user.id,
    );
    expect(revoked.map((e) => e.data.reason)).toEqual(['idle_timeout']);
  });

  it('refreshing keeps it alive, but never past the maximum age', async () => {
    const user = await createUser(t, tenant);
    let pair = await signIn(t, tenant, user);
    const started = Date.now();
    // Refresh every 1.2 s (inside the 2 s idle timeout) until past the 4 s maximum.
    while (Date.now() - started < 3400) {
      await sleep(1200);
      pair = (await refresh(t, pair.refreshToken).expect(200)).body as Pair;
    }
    await sleep(Math.max(0, 4300 - (Date.now() - started)));
    expectErrorResponse(await refresh(t, pair.refreshToken), 401, 'UNAUTHENTICATED');
    expectErrorResponse(await me(t, pair.accessToken), 401, 'UNAUTHENTICATED');
    const revoked = (await events(t, tenant, 'SESSION_REVOKED')).filter(
      (e) => e.userId === user.id,
    );
    expect(revoked.map((e) => e.data.reason)).toEqual(['max_age']);
  });
});

describe('sessions: two instances on one database', () => {
  let t: TestApp;
  let second: SecondInstance;
  useTwoInstances((instances) => ({ primary: t, second } = instances), UNREACHABLE_THROTTLE_LIMITS);

  it('a token refreshed on one instance is spent on the other; parallel refreshes across both: one winner', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const pair = await signIn(t, tenant, user);
    const onSecond = (
      await request(second.url)
        .post('/v1/auth/refresh')
        .send({ refreshToken: pair.refreshToken })
        .expect(200)
    ).body as Pair;
    // Logout on the first instance is seen by the second at once.
    await t
      .http()
      .post('/v1/auth/logout')
      .set('Authorization', `Bearer ${onSecond.accessToken}`)
      .expect(204);
    expectErrorResponse(
      await request(second.url)
        .get('/v1/auth/me')
        .set('Authorization', `Bearer ${onSecond.accessToken}`),
      401,
      'UNAUTHENTICATED',
    );

    const fresh = await signIn(t, tenant, user);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? request(second.url) : t.http())
          .post('/v1/auth/refresh')
          .send({ refreshToken: fresh.refreshToken }),
      ),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(19);
  }, 60000);
});
