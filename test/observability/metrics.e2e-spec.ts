import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { OtpPurgeJob } from '../../src/otp/otp-purge.job';
import { createTenant, createUser, TestTenant, TestUser } from '../factories/tenants.factory';
import {
  EnrolledApp,
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
  registerByEmail,
} from '../factories/two-factor.factory';
import { queryDb } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('metrics (API.md v1.1 §13): each family moves with the flow, no tenant or user label', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), {
    env: { ...UNREACHABLE_THROTTLE_LIMITS },
    captureLogs: true,
  });

  const scrape = async () => parse((await t.http().get('/metrics').expect(200)).text);

  let emailTenant: TestTenant;
  let appTenant: TestTenant;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let app: EnrolledApp;
  const aliceAddress = () => `alice-${emailTenant.slug}@acme.test`;
  const bobAddress = () => `bob-${emailTenant.slug}@acme.test`;

  beforeAll(async () => {
    emailTenant = await createTenant(t);
    await enableEmailTwoFactor(t, emailTenant, smtp, {
      otp: { maxAttempts: 20 },
      lockout: { maxConsecutiveFailures: 10, durationSeconds: 900 },
    });
    alice = await createUser(t, emailTenant);
    bob = await createUser(t, emailTenant);
    await registerByEmail(t, smtp, emailTenant, alice, aliceAddress());
    await registerByEmail(t, smtp, emailTenant, bob, bobAddress());
    appTenant = await createTenant(t);
    await enableAuthenticatorTwoFactor(t, appTenant);
    carol = await createUser(t, appTenant);
    app = await enrollAuthenticator(t, appTenant, carol);
  });

  it('counts logins, codes, verifies, lockouts, refusals, deliveries, HTTP, hashes and purges', async () => {
    const before = await scrape();

    // Email 2FA: a code sent, a wrong code, a refused resend (cooldown), then the right code.
    const sentBefore = smtp.to(aliceAddress()).length;
    const login = await passwordLogin(t, emailTenant.slug, alice.username, alice.password).expect(
      200,
    );
    expect(login.body).toMatchObject({ status: 'TWO_FACTOR_REQUIRED', delivery: 'SENT' });
    const code = await smtp.codeFor(aliceAddress(), sentBefore + 1);
    const wrong = code === '000000' ? '111111' : '000000';
    await mfaCall(t, login.body.mfaToken, 'verify', { code: wrong }).expect(401);
    expectErrorResponse(
      await mfaCall(t, login.body.mfaToken, 'resend'),
      429,
      'OTP_RESEND_COOLDOWN',
    );
    await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);

    // An app login.
    const appLogin = await passwordLogin(t, appTenant.slug, carol.username, carol.password).expect(
      200,
    );
    await mfaCall(t, appLogin.body.mfaToken, 'verify', {
      code: app.code(Date.now() / 1000 + 30),
    }).expect(200);

    // Ten wrong codes in a row lock Bob's account (timed): nine are refused, the tenth locks.
    const bobSent = smtp.to(bobAddress()).length;
    const bobLogin = await passwordLogin(t, emailTenant.slug, bob.username, bob.password).expect(
      200,
    );
    const bobCode = await smtp.codeFor(bobAddress(), bobSent + 1);
    const bobWrong = bobCode === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 9; i++)
      await mfaCall(t, bobLogin.body.mfaToken, 'verify', { code: bobWrong }).expect(401);
    expectErrorResponse(
      await mfaCall(t, bobLogin.body.mfaToken, 'verify', { code: bobWrong }),
      429,
      'TWO_FACTOR_LOCKED',
    );

    // A purge run, invoked directly: Bob's registration code aged past the retention.
    await queryDb(
      t.databaseUrl,
      `UPDATE otp_challenges SET expires_at = now() - interval '2 hours'
        WHERE user_id = $1 AND purpose = 'register'`,
      [bob.id],
    );
    await expect(t.app.get(OtpPurgeJob).run()).resolves.toBe(1);

    // A route with a parameter, and a URL that matches no route (both carry the tenant's slug).
    await t
      .http()
      .get(`/v1/tenants/${emailTenant.slug}`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    await t.http().get(`/no-such-route/${emailTenant.slug}`).expect(404);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    // Logins by outcome: three passwords accepted, each on to its second factor.
    expect(moved('efcx_logins_total', { outcome: 'second_factor' })).toBe(3);
    expect(moved('efcx_logins_total')).toBe(3);
    // Codes by channel type and delivery: Alice's and Bob's login codes; the refusal sent none.
    expect(moved('efcx_otp_codes_total', { channel: 'email', delivery: 'sent' })).toBe(2);
    expect(moved('efcx_otp_codes_total')).toBe(2);
    // Verifies by what the client was told and the audit reason.
    expect(moved('efcx_otp_verifies_total', { outcome: 'verified', reason: 'none' })).toBe(2);
    expect(moved('efcx_otp_verifies_total', { outcome: 'invalid', reason: 'wrong' })).toBe(10);
    expect(moved('efcx_otp_verifies_total', { outcome: 'locked', reason: 'wrong' })).toBe(1);
    expect(moved('efcx_otp_verifies_total')).toBe(13);
    // Lockouts by kind.
    expect(moved('efcx_two_factor_lockouts_total', { kind: 'timed' })).toBe(1);
    expect(moved('efcx_two_factor_lockouts_total')).toBe(1);
    // Resend refusals by reason.
    expect(moved('efcx_otp_resend_refusals_total', { reason: 'cooldown' })).toBe(1);
    expect(moved('efcx_otp_resend_refusals_total')).toBe(1);
    // Delivery duration: two SMTP transactions, which took some time.
    const delivered = { channel: 'email', result: 'sent' };
    expect(moved('efcx_otp_delivery_seconds_count', delivered)).toBe(2);
    expect(moved('efcx_otp_delivery_seconds_sum', delivered)).toBeGreaterThan(0);
    expect(moved('efcx_otp_delivery_seconds_count')).toBe(2);
    // HTTP duration by method, route template and status.
    const http = 'efcx_http_request_duration_seconds_count';
    const verify = { method: 'POST', route: '/v1/auth/2fa/verify' };
    expect(moved(http, { ...verify, status: '200' })).toBe(2);
    expect(moved(http, { ...verify, status: '401' })).toBe(10);
    expect(moved(http, { ...verify, status: '429' })).toBe(1);
    expect(moved(http, { method: 'POST', route: '/v1/auth/2fa/resend', status: '429' })).toBe(1);
    expect(moved(http, { method: 'POST', route: '/v1/auth/login', status: '200' })).toBe(3);
    expect(moved(http, { method: 'GET', route: '/v1/tenants/:slug', status: '200' })).toBe(1);
    expect(moved(http, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // The hash queue: one hash per password login, none waiting now.
    expect(moved('efcx_hash_queue_wait_seconds_count')).toBe(3);
    expect(valueOf(after, 'efcx_hash_queue_depth')).toBe(0);
    // Purge runs and rows by job.
    expect(moved('efcx_purge_runs_total', { job: 'otp_purge' })).toBe(1);
    expect(moved('efcx_purge_rows_total', { job: 'otp_purge' })).toBe(1);
    expect(moved('efcx_purge_runs_total')).toBe(1);

    // The purge logged one line for its run, with its rows and time.
    await new Promise((r) => setTimeout(r, 50)); // pino writes asynchronously
    const purgeLines = t
      .logs()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { job?: string; rows?: number; ms?: number; msg?: string })
      .filter((l) => l.job === 'otp_purge');
    expect(purgeLines).toEqual([
      expect.objectContaining({
        rows: 1,
        ms: expect.any(Number),
        msg: expect.stringMatching(/^OtpPurge: removed 1 row\(s\) in \d+ ms$/),
      }),
    ]);

    // No label value names a tenant, a user or an address.
    const personal = [emailTenant, appTenant].flatMap((x) => [x.slug, x.id, x.name]);
    personal.push(...[alice, bob, carol].flatMap((u) => [u.id, u.username]));
    personal.push(aliceAddress(), bobAddress());
    const values = new Set(after.flatMap((s) => Object.values(s.labels)));
    for (const v of values) for (const p of personal) expect(v).not.toContain(p);
    // Bounded: the routes are templates, the other labels fixed words.
    for (const s of after.filter((x) => x.name === http))
      expect(s.labels.route).toMatch(/^(\/[\w.:*-]*)+$|^unmatched$/);
  });

  it('reports the database pool in use at scrape time', async () => {
    const runner = t.app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      expect(valueOf(await scrape(), 'efcx_db_pool_in_use')).toBeGreaterThanOrEqual(1);
    } finally {
      await runner.release();
    }
    expect(valueOf(await scrape(), 'efcx_db_pool_in_use')).toBeLessThanOrEqual(
      t.config.database.poolSize,
    );
  });

  it('the Grafana dashboard (docs/grafana-dashboard.json) queries only families the service exposes', async () => {
    const dashboard = readFileSync(
      path.join(__dirname, '../../docs/grafana-dashboard.json'),
      'utf8',
    );
    const used = new Set(
      [...dashboard.matchAll(/\b(efcx_\w+)/g)].map((m) => m[1].replace(/_(bucket|count|sum)$/, '')),
    );
    expect(used.size).toBeGreaterThanOrEqual(10);
    const text = (await t.http().get('/metrics').expect(200)).text;
    for (const family of used) expect(text).toContain(`# TYPE ${family} `);
  });
});
