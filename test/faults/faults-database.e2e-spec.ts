/**
 * The database server goes away under a running app, and comes back. (test/operations/operations.e2e-spec.ts
 * drops the app's database on a server that stays up; here the whole PostgreSQL process stops:
 * pooled connections are terminated and new ones are refused.) Every call must answer quickly with
 * 503 SERVICE_UNAVAILABLE and Retry-After, never a 500 or a hang, and the same process must recover
 * by itself once the server is back.
 */
import type { Response } from 'supertest';
import {
  createTenant,
  createUser,
  login,
  TestTenant,
  TestUser,
} from '../factories/tenants.factory';
import { enableAuthenticatorTwoFactor, passwordLogin } from '../factories/two-factor.factory';
import { FaultPostgres } from '../support/faults/embedded-postgres-process';
import { expectExactErrorResponse } from '../support/http-assertions';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

/** A hang check, not a performance assertion. */
const ANSWER_BOUND_MS = 10000;
/** How long the same process may take to serve again once PostgreSQL is back. */
const RECOVERY_BOUND_MS = 30000;

describe('database server stopped and started again under a running app', () => {
  let pg: FaultPostgres;
  let t: TestApp;
  let tenant: TestTenant;
  let user: TestUser;
  let userToken: string;
  let adminAccess: string;
  let refreshToken: string;
  /** A sign-in of a 2FA tenant (authenticator channel) waiting for its registration. */
  let mfaToken: string;

  beforeAll(async () => {
    pg = await FaultPostgres.create();
    const url = await pg.start();
    expect(new URL(url).port).toBe(String(pg.port));
    expect(pg.port).not.toBe(5432);
    // The app runs the migrations on this server at start.
    t = await startTestApp({ databaseUrl: url, env: UNREACHABLE_THROTTLE_LIMITS });
    tenant = await createTenant(t);
    user = await createUser(t, tenant);
    userToken = await login(t, tenant.slug, user.username, user.password);
    adminAccess = await login(t, tenant.slug, tenant.admin.username, tenant.admin.password);
    const signIn = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    refreshToken = signIn.body.refreshToken as string;

    const appTenant = await createTenant(t);
    await enableAuthenticatorTwoFactor(t, appTenant);
    const appUser = await createUser(t, appTenant);
    const stage1 = await passwordLogin(
      t,
      appTenant.slug,
      appUser.username,
      appUser.password,
    ).expect(200);
    expect(stage1.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    mfaToken = stage1.body.mfaToken as string;
  }, 240000);

  afterAll(async () => {
    // The app closes its pool first (the server may be down: that must not hang either).
    await t?.close().catch(() => undefined);
    await pg?.destroy();
  }, 120000);

  /** The calls a client makes, each bounded so that a hang fails the test instead of stalling it. */
  const calls: Array<[string, () => PromiseLike<Response>]> = [
    [
      'POST /v1/auth/login',
      () =>
        t
          .http()
          .post('/v1/auth/login')
          .timeout(ANSWER_BOUND_MS + 5000)
          .send({ tenant: tenant.slug, username: user.username, password: user.password }),
    ],
    [
      'GET /v1/auth/me',
      () =>
        t
          .http()
          .get('/v1/auth/me')
          .timeout(ANSWER_BOUND_MS + 5000)
          .set('Authorization', `Bearer ${userToken}`),
    ],
    [
      'GET /v1/tenants/{slug}/users (tenant admin)',
      () =>
        t
          .http()
          .get(`/v1/tenants/${tenant.slug}/users`)
          .timeout(ANSWER_BOUND_MS + 5000)
          .set('Authorization', `Bearer ${adminAccess}`),
    ],
    [
      'GET /v1/tenants/{slug}/users (platform key)',
      () =>
        t
          .http()
          .get(`/v1/tenants/${tenant.slug}/users`)
          .timeout(ANSWER_BOUND_MS + 5000)
          .set('X-Api-Key', t.platformKey),
    ],
    [
      'POST /v1/auth/2fa/register (mfa token)',
      () =>
        t
          .http()
          .post('/v1/auth/2fa/register')
          .timeout(ANSWER_BOUND_MS + 5000)
          .set('Authorization', `Bearer ${mfaToken}`)
          .send({}),
    ],
    [
      'POST /v1/auth/refresh',
      () =>
        t
          .http()
          .post('/v1/auth/refresh')
          .timeout(ANSWER_BOUND_MS + 5000)
          .send({ refreshToken }),
    ],
  ];

  const readiness = () =>
    t
      .http()
      .get('/health/ready')
      .timeout(ANSWER_BOUND_MS + 5000);

  async function timed(run: () => PromiseLike<Response>): Promise<{ res: Response; ms: number }> {
    const started = Date.now();
    const res = await run();
    return { res, ms: Date.now() - started };
  }

  it('while it is down: 503 SERVICE_UNAVAILABLE with Retry-After, in time, never a 500; readiness 503', async () => {
    await t.http().get('/health/ready').expect(200);
    for (const [name, call] of calls) {
      const res = await call();
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      // A refresh rotates the token: keep the new one for the calls below.
      if (res.body.refreshToken) refreshToken = res.body.refreshToken as string;
    }

    await pg.stop();

    // Twice: right after the stop (the pool's connections were terminated), then once more (every
    // new connection refused).
    const seen: Array<{ call: string; res: Response; ms: number }> = [];
    for (const round of [1, 2]) {
      for (const [name, call] of [...calls, ['GET /health/ready', readiness] as const]) {
        const { res, ms } = await timed(call);
        seen.push({ call: `${name} #${round}`, res, ms });
      }
    }
    // Every answer at once, in one table: which call answered what, and how fast.
    expect(
      seen.map(({ call, res, ms }) => ({
        call,
        status: res.status,
        code: res.body?.code,
        retryAfter: /^[1-9]\d*$/.test(String(res.headers['retry-after'] ?? '')),
        inTime: ms < ANSWER_BOUND_MS,
      })),
    ).toEqual(
      seen.map(({ call }) => ({
        call,
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        // Readiness is for the load balancer: no Retry-After needed there.
        retryAfter: call.startsWith('GET /health/ready') ? expect.any(Boolean) : true,
        inTime: true,
      })),
    );
    for (const { call, res } of seen) {
      if (call.startsWith('GET /health/ready')) continue;
      expectExactErrorResponse(res, 503, 'SERVICE_UNAVAILABLE');
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|terminat/i);
    }
    // The process itself is fine.
    await t.http().get('/health/live').expect(200);
  }, 120000);

  it('once it is back (same folder, same port): the same process serves 200 again by itself', async () => {
    if (pg.running) await pg.stop(); // the test before failed before stopping it
    await pg.start();
    const started = Date.now();
    let ready = 0;
    while (Date.now() - started < RECOVERY_BOUND_MS) {
      ready = (await t.http().get('/health/ready').timeout(ANSWER_BOUND_MS)).status;
      if (ready === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);

    const signIn = await passwordLogin(t, tenant.slug, user.username, user.password);
    expect({ status: signIn.status, kind: signIn.body.status }).toEqual({
      status: 200,
      kind: 'AUTHENTICATED',
    });
    // What was issued before the outage still works: tokens, sessions, the admin's rights.
    await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${userToken}`).expect(200);
    await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/users`)
      .set('Authorization', `Bearer ${adminAccess}`)
      .expect(200);
    // The refresh token was not spent by the failed refreshes of the outage.
    await t.http().post('/v1/auth/refresh').send({ refreshToken }).expect(200);
    // The sign-in begun before the outage goes on.
    const enrol = await t
      .http()
      .post('/v1/auth/2fa/register')
      .set('Authorization', `Bearer ${mfaToken}`)
      .send({})
      .expect(200);
    expect(enrol.body.channel).toBe('authenticator');
  }, 180000);
});
