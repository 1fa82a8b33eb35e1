import fc from 'fast-check';
import type { Response } from 'supertest';
import { createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import { createEmailChannel, passwordLogin } from '../factories/two-factor.factory';
import { SmtpSink } from '../support/smtp-sink';
import {
  buildRequest,
  clip,
  describeSent,
  focusedCase,
  FuzzCase,
  OpenApiDocument,
  Operation,
  operationsOf,
  send,
  violation,
  wildCase,
  World,
} from '../support/fuzz-generators';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

/**
 * Property-based fuzzing of every operation the running service lists in `GET /docs-json`:
 * generated path parameters, query strings, bodies, credentials and content types. Whatever comes
 * in, the answer is never a 5xx, and every 4xx is API.md's error shape with its request id.
 *
 * A failure prints the request (method, URL, headers, body), the answer and the server's log line.
 * Replay it with the seed and path fast-check prints: FUZZ_SEED=<seed> FUZZ_PATH=<path>.
 * FUZZ_STATS=1 prints the statuses seen per run and the calls per route.
 */

const NUM_RUNS = 2000;

describe('fuzz: every route of /docs-json', () => {
  const smtp = new SmtpSink();
  let t: TestApp;
  let ops: Operation[];
  let w: World;

  const reactivate = (tenant: TestTenant) =>
    t
      .http()
      .patch(`/v1/tenants/${tenant.slug}`)
      .set('X-Api-Key', t.platformKey)
      .send({ status: 'active' })
      .expect(200);
  const putSettings = (tenant: TestTenant, body: object) =>
    t
      .http()
      .put(`/v1/tenants/${tenant.slug}/settings/2fa`)
      .set('X-Api-Key', t.platformKey)
      .send(body)
      .expect(200);

  /** A new admin of the admin tenant, signed in (the tenant enabled again, 2FA off if need be). */
  async function issueAccessToken(): Promise<void> {
    await reactivate(w.admin);
    const admin = await createUser(t, w.admin, { roles: ['admin'] });
    let res = await passwordLogin(t, w.admin.slug, admin.username, admin.password).expect(200);
    if (res.body.status !== 'AUTHENTICATED') {
      await putSettings(w.admin, { enabled: false, channelId: null });
      res = await passwordLogin(t, w.admin.slug, admin.username, admin.password).expect(200);
    }
    w.access = res.body.accessToken;
    w.refresh = res.body.refreshToken;
    w.userIds = [admin.id, ...w.userIds].slice(0, 8);
    w.usernames = [admin.username, ...w.usernames].slice(0, 4);
    w.staleAccess = false;
    w.credentialsIssued++;
  }

  /** A new user of the 2FA tenant at the 2FA step (2FA on again, on a new sink channel, if need be). */
  async function issueMfaToken(): Promise<void> {
    await reactivate(w.mfa);
    const user = await createUser(t, w.mfa);
    let res = await passwordLogin(t, w.mfa.slug, user.username, user.password).expect(200);
    if (typeof res.body.mfaToken !== 'string') {
      const channelId = await createEmailChannel(t, w.mfa, smtp);
      await putSettings(w.mfa, { enabled: true, channelId, otp: { resendCooldownSeconds: 0 } });
      w.channelIds = [channelId, ...w.channelIds].slice(0, 4);
      res = await passwordLogin(t, w.mfa.slug, user.username, user.password).expect(200);
    }
    if (typeof res.body.mfaToken !== 'string')
      throw new Error(`no mfa token from the 2FA tenant: ${res.text}`);
    w.mfaToken = res.body.mfaToken;
    w.userIds = [user.id, ...w.userIds].slice(0, 8);
    w.usernames = [user.username, ...w.usernames].slice(0, 4);
    w.staleMfa = false;
    w.credentialsIssued++;
  }

  beforeAll(async () => {
    await smtp.start();
    t = await startTestApp({
      env: {
        ...UNREACHABLE_THROTTLE_LIMITS,
        // Channels may only name the sink's host.
        CHANNEL_ALLOWED_HOSTS: '127.0.0.1',
        SMTP_TIMEOUT_MS: '2000',
      },
      captureLogs: true,
    });
    const doc = await t.http().get('/docs-json').expect(200);
    ops = operationsOf(doc.body as OpenApiDocument);
    const admin = await createTenant(t);
    const mfa = await createTenant(t);
    w = {
      platformKey: t.platformKey,
      admin,
      mfa,
      access: '',
      refresh: '',
      mfaToken: '',
      userIds: [],
      channelIds: [await createEmailChannel(t, admin, smtp)],
      usernames: ['admin'],
      smtpPort: smtp.port,
      staleAccess: true,
      staleMfa: true,
      credentialsIssued: 0,
    };
    await issueAccessToken();
    await issueMfaToken();
  });

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('reads every operation from /docs-json', () => {
    const keys = ops.map((o) => o.key);
    for (const expected of [
      'GET /health/live',
      'GET /metrics',
      'GET /.well-known/jwks.json',
      'POST /v1/auth/login',
      'POST /v1/auth/2fa/verify',
      'GET /v1/tenants/{slug}/users/{id}',
      'DELETE /v1/tenants/{slug}/users/{id}/2fa/lock',
      'POST /v1/tenants/{slug}/channels/{id}/test',
    ])
      expect(keys).toContain(expected);
    expect(ops.length).toBeGreaterThanOrEqual(30);
  });

  it(`${NUM_RUNS.toLocaleString('en-US')} generated requests over every route: never a 5xx, always the error shape`, async () => {
    const calls = new Map<string, number>();
    const statuses = new Map<number, number>();
    const count = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
    const cases: fc.Arbitrary<FuzzCase> = fc
      .constantFrom(...ops)
      .chain((op) => fc.oneof(wildCase(op), focusedCase(op)))
      .map((c) =>
        Object.assign(c, { [fc.toStringMethod]: () => describeSent(w, buildRequest(w, c)) }),
      );

    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
    if (seed !== undefined) process.stderr.write(`fuzz: replaying seed ${seed}\n`);
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        if (w.staleAccess) await issueAccessToken();
        if (w.staleMfa) await issueMfaToken();
        const sent = buildRequest(w, c);
        let res: Response;
        try {
          res = await send(t, sent);
        } catch (err) {
          throw new Error(`no answer: ${String(err)}\n${describeSent(w, sent)}`);
        }
        count(calls, c.op.key);
        count(statuses, res.status);

        const problem = violation(res);
        if (problem) {
          const requestId = res.headers['x-request-id'];
          const logLine = requestId
            ? t
                .logs()
                .split('\n')
                .find((l) => l.includes(String(requestId)) && /"level":(50|60)/.test(l))
            : undefined;
          throw new Error(
            [
              problem,
              describeSent(w, sent),
              `→ ${res.status} ${clip(res.text ?? '', 600)}`,
              ...(logLine ? [`log: ${clip(logLine, 1500)}`] : []),
            ].join('\n'),
          );
        }

        // A credential the route takes, refused: an earlier case spent it (logout, its user
        // deleted or disabled, its tenant disabled, 2FA locked, …). The next case gets a new one.
        const code = String((res.body as { code?: unknown } | undefined)?.code);
        if (
          sent.headers.authorization === `Bearer ${w.access}` &&
          c.op.security.includes('accessToken') &&
          (code === 'UNAUTHENTICATED' ||
            (code === 'FORBIDDEN' && sent.url.startsWith(`/v1/tenants/${w.admin.slug}`)))
        )
          w.staleAccess = true;
        if (
          sent.headers.authorization === `Bearer ${w.mfaToken}` &&
          c.op.security.includes('mfaToken') &&
          [
            'UNAUTHENTICATED',
            'OTP_ATTEMPTS_EXCEEDED',
            'TWO_FACTOR_LOCKED',
            'OTP_RESEND_LIMIT',
          ].includes(code)
        )
          w.staleMfa = true;
      }),
      { numRuns: NUM_RUNS, ...(seed !== undefined ? { seed, path: process.env.FUZZ_PATH } : {}) },
    );

    if (process.env.FUZZ_STATS)
      process.stderr.write(
        `fuzz: ${JSON.stringify({
          statuses: Object.fromEntries(statuses),
          calls: Object.fromEntries(calls),
          credentialsIssued: w.credentialsIssued,
        })}\n`,
      );
    // The run was meaningful: every route was called, and the answers ranged from success (also
    // of writes) to refusal at each layer.
    expect(ops.filter((o) => !calls.get(o.key)).map((o) => o.key)).toEqual([]);
    const seen = [...statuses.keys()];
    expect(seen.filter((s) => s === 201 || s === 204)).not.toEqual([]);
    for (const s of [200, 400, 401, 403, 404, 415]) expect(seen).toContain(s);
  }, 120_000);
});
