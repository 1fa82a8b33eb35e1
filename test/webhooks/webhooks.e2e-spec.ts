import { Client } from 'pg';
import { adminToken, createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
} from '../factories/two-factor.factory';
import { WebhookDeliveryPurgeJob } from '../../src/webhooks/webhook-delivery-purge.job';
import { auditEvents } from '../support/audit-events';
import { queryDb } from '../support/database';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';
import {
  eventually,
  FAST_WEBHOOKS,
  ReceiverAnswer,
  verifyWebhook,
  WebhookReceiver,
} from '../support/webhook-receiver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface DeliveryItem {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

describe('webhooks (API.md v1.1 §12)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    t = await startTestApp({ env: { ...UNREACHABLE_THROTTLE_LIMITS, ...FAST_WEBHOOKS } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const path = (tenant: TestTenant, rest = '') => `/v1/tenants/${tenant.slug}/webhooks${rest}`;
  const asPlatform = <R extends { set: (k: string, v: string) => R }>(r: R) =>
    r.set('X-Api-Key', t.platformKey);

  async function createWebhook(
    tenant: TestTenant,
    body: Record<string, unknown>,
  ): Promise<{ id: string; secret: string; url: string }> {
    const res = await asPlatform(t.http().post(path(tenant)))
      .send(body)
      .expect(201);
    return res.body as { id: string; secret: string; url: string };
  }

  async function deliveries(tenant: TestTenant, webhookId: string): Promise<DeliveryItem[]> {
    const res = await asPlatform(t.http().get(path(tenant, `/${webhookId}/deliveries`))).expect(
      200,
    );
    return res.body.items as DeliveryItem[];
  }

  /** Waits for the delivery of `eventId` to reach `status`. */
  const settled = (
    tenant: TestTenant,
    webhookId: string,
    eventId: string,
    status: DeliveryItem['status'],
  ) =>
    eventually(async () => {
      const d = (await deliveries(tenant, webhookId)).find((x) => x.eventId === eventId);
      return d?.status === status ? d : undefined;
    }, `delivery of ${eventId} ${status}`);

  describe('administration', () => {
    it('creates with a secret shown once; GET, list and PATCH never show it; DELETE is 204 then 404', async () => {
      const tenant = await createTenant(t);
      const created = await asPlatform(t.http().post(path(tenant)))
        .send({ url: receiver.url('/crud'), events: ['USER_CREATED', 'TWO_FACTOR_LOCKED'] })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        url: receiver.url('/crud'),
        events: ['USER_CREATED', 'TWO_FACTOR_LOCKED'],
        enabled: true,
        disabledReason: null,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const { id, secret } = created.body as { id: string; secret: string };
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);

      const one = await asPlatform(t.http().get(path(tenant, `/${id}`))).expect(200);
      const { secret: _s, ...withoutSecret } = created.body as Record<string, unknown>;
      expect(one.body).toEqual(withoutSecret);
      const list = await asPlatform(t.http().get(path(tenant))).expect(200);
      expect(list.body).toEqual({ items: [withoutSecret] });

      const patched = await asPlatform(t.http().patch(path(tenant, `/${id}`)))
        .send({ events: ['*'], enabled: false })
        .expect(200);
      expect(patched.body).toEqual(
        expect.objectContaining({ id, events: ['*'], enabled: false, disabledReason: null }),
      );
      expect(patched.body).not.toHaveProperty('secret');

      // Stored sealed: the database holds no secret in clear.
      const rows = await queryDb<{ secret: string }>(
        t.databaseUrl,
        'SELECT secret FROM webhooks WHERE id = $1',
        [id],
      );
      expect(rows[0].secret).toMatch(/^v1\./);
      expect(rows[0].secret).not.toContain(secret.slice(6));

      await asPlatform(t.http().delete(path(tenant, `/${id}`))).expect(204);
      expectErrorResponse(await asPlatform(t.http().get(path(tenant, `/${id}`))), 404, 'NOT_FOUND');
    });

    it('refuses bad input with 400 VALIDATION_FAILED, and unknown ids with 404', async () => {
      const tenant = await createTenant(t);
      const post = (body: unknown) => asPlatform(t.http().post(path(tenant))).send(body as object);
      const url = receiver.url('/bad');
      expectValidationError(await post({ url, events: [] }), 'events');
      expectValidationError(await post({ url, events: ['NOT_A_TYPE'] }), 'events');
      expectValidationError(await post({ url, events: ['*', 'USER_CREATED'] }), 'events');
      expectValidationError(
        await post({ url, events: ['USER_CREATED', 'USER_CREATED'] }),
        'events',
      );
      expectValidationError(await post({ url, events: 'USER_CREATED' }), 'events');
      expectValidationError(await post({ url: 'ftp://example.com/x', events: ['*'] }), 'url');
      expectValidationError(await post({ url: 'not a url', events: ['*'] }), 'url');
      expectValidationError(await post({ url: 'https://u:p@example.com/', events: ['*'] }), 'url');
      expectValidationError(await post({ url: 42, events: ['*'] }), 'url');
      expectValidationError(await post({ url, events: ['*'], enabled: 'yes' }), 'enabled');
      expectValidationError(await post({ url, events: ['*'], secret: 'mine' }), 'secret');
      expectValidationError(await post({ events: ['*'] }), 'url');

      const { id } = await createWebhook(tenant, { url, events: ['*'] });
      expectValidationError(
        await asPlatform(t.http().patch(path(tenant, `/${id}`))).send({ url: null }),
        'url',
      );
      expectValidationError(await asPlatform(t.http().get(path(tenant, '/not-a-uuid'))), 'id');
      expectValidationError(
        await asPlatform(t.http().get(path(tenant, `/${id}/deliveries`))).query({ cursor: 'Zm9v' }),
        'cursor',
      );
      expectValidationError(
        await asPlatform(t.http().post(path(tenant, `/${id}/deliveries/nope/retry`))),
        'deliveryId',
      );
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const res of [
        await asPlatform(t.http().get(path(tenant, `/${unknown}`))),
        await asPlatform(t.http().patch(path(tenant, `/${unknown}`))).send({ enabled: false }),
        await asPlatform(t.http().delete(path(tenant, `/${unknown}`))),
        await asPlatform(t.http().post(path(tenant, `/${unknown}/rotate-secret`))),
        await asPlatform(t.http().get(path(tenant, `/${unknown}/deliveries`))),
        await asPlatform(t.http().post(path(tenant, `/${id}/deliveries/${unknown}/retry`))),
      ])
        expectErrorResponse(res, 404, 'NOT_FOUND');
    });

    it('allows at most 20 webhooks per tenant (409 beyond), even when created in parallel', async () => {
      const tenant = await createTenant(t);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          asPlatform(t.http().post(path(tenant))).send({
            url: receiver.url(`/cap-${i}`),
            events: ['TWO_FACTOR_LOCKED'],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(20);
      for (const r of results.filter((x) => x.status !== 201))
        expectErrorResponse(r, 409, 'CONFLICT');
      const list = await asPlatform(t.http().get(path(tenant))).expect(200);
      expect(list.body.items).toHaveLength(20);
    });

    it("is for the tenant's admins only: another tenant's admin gets 403, another tenant's id 404", async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const hook = await createWebhook(a, { url: receiver.url('/tenants'), events: ['*'] });
      const tokenB = await adminToken(t, b);
      expectErrorResponse(
        await t.http().get(path(a)).set('Authorization', `Bearer ${tokenB}`),
        403,
        'FORBIDDEN',
      );
      expectErrorResponse(
        await t
          .http()
          .get(path(b, `/${hook.id}`))
          .set('Authorization', `Bearer ${tokenB}`),
        404,
        'NOT_FOUND',
      );
      expectErrorResponse(await t.http().get(path(a)), 401, 'UNAUTHENTICATED');
      const agent = await createUser(t, a);
      const res = await passwordLogin(t, a.slug, agent.username, agent.password).expect(200);
      expectErrorResponse(
        await t.http().get(path(a)).set('Authorization', `Bearer ${res.body.accessToken}`),
        403,
        'FORBIDDEN',
      );
    });

    it('writes WEBHOOK_CHANGED for create, update, rotate and delete, never with the secret', async () => {
      const tenant = await createTenant(t);
      const url = `${receiver.url('/audit')}/token-in-path?key=query-secret`;
      const created = await createWebhook(tenant, { url, events: ['USER_CREATED'] });
      await asPlatform(t.http().patch(path(tenant, `/${created.id}`)))
        .send({ events: ['*'] })
        .expect(200);
      const rotated = await asPlatform(
        t.http().post(path(tenant, `/${created.id}/rotate-secret`)),
      ).expect(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.secret);
      await asPlatform(t.http().delete(path(tenant, `/${created.id}`))).expect(204);

      const events = await auditEvents(t, tenant.slug, { type: 'WEBHOOK_CHANGED' });
      expect(events.map((e) => e.data.action)).toEqual([
        'deleted',
        'secret_rotated',
        'updated',
        'created',
      ]);
      expect(events[3].data).toEqual({
        webhookId: created.id,
        action: 'created',
        host: '127.0.0.1',
        events: ['USER_CREATED'],
        enabled: true,
      });
      expect(events[2].data).toEqual(expect.objectContaining({ changes: ['events'] }));
      for (const e of events) expect(e.actor).toEqual({ type: 'platform', id: null });
      const everything = JSON.stringify(await auditEvents(t, tenant.slug));
      for (const secret of [created.secret, rotated.body.secret as string]) {
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(secret.slice(6));
      }
      expect(everything).not.toContain('whsec_');
      expect(everything).not.toContain('query-secret');
      expect(everything).not.toContain('token-in-path');
    });
  });

  describe('delivery', () => {
    // Tests that make the receiver fail on their path leave it answering 200 again.
    afterEach(() => {
      receiver.answer = () => 200;
    });

    /**
     * A fresh tenant's webhook for USER_CREATED at `path`, where the receiver answers `answer`
     * (by the tries before), and the event of a user created after it.
     */
    async function userCreatedHook(path: string, answer: (tries: number) => ReceiverAnswer) {
      const tenant = await createTenant(t);
      receiver.answer = (r, tries) => (r.path === path ? answer(tries) : 200);
      const hook = await createWebhook(tenant, {
        url: receiver.url(path),
        events: ['USER_CREATED'],
      });
      const user = await createUser(t, tenant);
      const [event] = await auditEvents(t, tenant.slug, { type: 'USER_CREATED', userId: user.id });
      return { tenant, hook, event };
    }

    it('delivers an event signed (Standard Webhooks), with the audit event as data, to "*" and to its type only', async () => {
      const tenant = await createTenant(t);
      const typed = await createWebhook(tenant, {
        url: receiver.url('/typed'),
        events: ['USER_CREATED'],
      });
      const all = await createWebhook(tenant, { url: receiver.url('/all'), events: ['*'] });
      const other = await createWebhook(tenant, {
        url: receiver.url('/other'),
        events: ['TWO_FACTOR_LOCKED'],
      });
      const user = await createUser(t, tenant);
      const [event] = await auditEvents(t, tenant.slug, { type: 'USER_CREATED', userId: user.id });

      const isIt = (r: { headers: Record<string, unknown> }) =>
        r.headers['webhook-id'] === event.id;
      await receiver.waitFor(
        () => receiver.on('/typed').some(isIt) && receiver.on('/all').some(isIt),
      );
      const got = receiver.on('/typed').find(isIt)!;
      const payload = verifyWebhook(typed.secret, got);
      expect(payload).toEqual({ type: 'USER_CREATED', timestamp: event.createdAt, data: event });
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
        60,
      );
      // Another webhook's secret does not verify it.
      expect(() => verifyWebhook(all.secret, got)).toThrow();
      expect(verifyWebhook(all.secret, receiver.on('/all').find(isIt)!)).toEqual(payload);

      // "*" also got the WEBHOOK_CHANGED of the webhook created after it; the typed one did not.
      const otherCreated = (await auditEvents(t, tenant.slug, { type: 'WEBHOOK_CHANGED' })).find(
        (e) => e.data.webhookId === other.id,
      )!;
      await receiver.waitFor(() =>
        receiver.on('/all').some((r) => r.headers['webhook-id'] === otherCreated.id),
      );
      expect(receiver.on('/typed').map((r) => r.headers['webhook-id'])).toEqual([event.id]);
      expect(await deliveries(tenant, other.id)).toEqual([]);
      expect(receiver.on('/other')).toEqual([]);

      // Counted for /metrics (v1.1 §13): by outcome, and the queue lag; no tenant labels.
      const metrics = (await t.http().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^efcx_webhook_deliveries_total\{outcome="delivered"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^efcx_webhook_queue_lag_seconds_count [1-9]\d*$/m);
      expect(metrics).not.toContain(tenant.slug);
      const [delivery] = await deliveries(tenant, typed.id);
      expect(delivery).toEqual({
        id: expect.stringMatching(UUID),
        eventId: event.id,
        eventType: 'USER_CREATED',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
        createdAt: expect.any(String),
        deliveredAt: expect.any(String),
      });
    });

    it('delivers events written on the sign-in path too (a failed login, written detached)', async () => {
      const tenant = await createTenant(t);
      const hook = await createWebhook(tenant, {
        url: receiver.url('/login-failed'),
        events: ['LOGIN_FAILED'],
      });
      await passwordLogin(t, tenant.slug, 'admin', 'not the password at all').expect(401);
      const [r] = await receiver.waitFor(() => receiver.on('/login-failed').length > 0);
      const payload = verifyWebhook(hook.secret, receiver.on('/login-failed')[0] ?? r);
      expect(payload.type).toBe('LOGIN_FAILED');
      expect(payload.data.data).toEqual(expect.objectContaining({ reason: 'wrong_password' }));
    });

    it('delivers events written by the verify statement (audit rows inserted by a CTE): OTP_FAILED and TWO_FACTOR_LOCKED', async () => {
      const tenant = await createTenant(t);
      await enableAuthenticatorTwoFactor(t, tenant, {
        otp: { maxAttempts: 20 },
        lockout: { maxConsecutiveFailures: 10 },
      });
      const user = await createUser(t, tenant);
      const app = await enrollAuthenticator(t, tenant, user);
      const hook = await createWebhook(tenant, {
        url: receiver.url('/locked'),
        events: ['OTP_FAILED', 'TWO_FACTOR_LOCKED'],
      });
      const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      const wrong = app.code(Date.now() / 1000 + 7200);
      for (let i = 0; i < 10; i++) await mfaCall(t, login.body.mfaToken, 'verify', { code: wrong });
      const [locked] = await auditEvents(t, tenant.slug, { type: 'TWO_FACTOR_LOCKED' });
      expect(locked).toBeDefined();
      // Jobs run side by side: no order is promised, so every one is waited for.
      await receiver.waitFor(
        () =>
          receiver.on('/locked').some((r) => r.headers['webhook-id'] === locked.id) &&
          receiver.on('/locked').length >= 11,
      );
      const got = receiver.on('/locked').map((r) => verifyWebhook(hook.secret, r));
      expect(got.filter((p) => p.type === 'OTP_FAILED')).toHaveLength(10);
      expect(got.find((p) => p.type === 'TWO_FACTOR_LOCKED')).toEqual({
        type: 'TWO_FACTOR_LOCKED',
        timestamp: locked.createdAt,
        data: locked,
      });
    });

    it('retries a failed attempt with backoff: 500, then 200 on the retry; the log shows both', async () => {
      const { tenant, hook, event } = await userCreatedHook('/flaky', (tries) =>
        tries === 0 ? 500 : 200,
      );
      const d = await settled(tenant, hook.id, event.id, 'delivered');
      expect(d).toEqual(
        expect.objectContaining({ attempts: 2, lastStatusCode: 200, lastError: null }),
      );
      const tries = receiver.on('/flaky');
      expect(tries.map((r) => r.answered)).toEqual([500, 200]);
      // The same message both times (the id a receiver deduplicates on), each signed.
      expect(tries.map((r) => verifyWebhook(hook.secret, r).data.id)).toEqual([event.id, event.id]);
    });

    it('retries on our backoff (WEBHOOK_RETRY_BASE_MS, doubling): each retry a new job due at nextAttemptAt', async () => {
      const { tenant, hook, event } = await userCreatedHook('/backoff', (tries) =>
        tries < 2 ? 503 : 200,
      );
      const d = await settled(tenant, hook.id, event.id, 'delivered');
      expect(d).toEqual(expect.objectContaining({ attempts: 3, lastStatusCode: 200 }));
      const [first, second, third] = receiver.on('/backoff').map((r) => r.at);
      // 100 ms then 200 ms (FAST_WEBHOOKS), found within a poll interval: not graphile-worker's
      // own retry delays (seconds), which only follow a task that throws.
      expect(second - first).toBeGreaterThanOrEqual(90);
      expect(third - second).toBeGreaterThanOrEqual(190);
      expect(third - first).toBeLessThan(2000);
    });

    it('a failed attempt leaves one waiting job, fresh and due when the log says (nextAttemptAt)', async () => {
      const tenant = await createTenant(t);
      receiver.answer = (r) => (r.path === '/failing' ? 503 : 200);
      const hook = await createWebhook(tenant, {
        url: receiver.url('/failing'),
        events: ['USER_CREATED'],
      });
      await createUser(t, tenant);
      // One statement: the delivery and its job as of the same moment (between two attempts).
      const waiting = await eventually(async () => {
        const rows = await queryDb<{
          next_attempt_at: Date;
          run_at: Date;
          attempts: number;
          jobs: string;
        }>(
          t.databaseUrl,
          `SELECT d.next_attempt_at, j.run_at, j.attempts,
                  (SELECT count(*) FROM graphile_worker.jobs
                    WHERE key = 'webhook_delivery:' || d.id) AS jobs
             FROM webhook_deliveries d
             JOIN graphile_worker.jobs j ON j.key = 'webhook_delivery:' || d.id
            WHERE d.webhook_id = $1 AND d.status = 'pending' AND d.attempts >= 1
              AND j.locked_at IS NULL`,
          [hook.id],
        );
        return rows[0];
      }, 'a delivery waiting for its retry');
      expect(waiting.run_at.getTime()).toBe(waiting.next_attempt_at.getTime());
      expect(waiting.attempts).toBe(0); // a new job, not graphile-worker's retry of the last one
      expect(Number(waiting.jobs)).toBe(1);
    });

    it("a disabled webhook's waiting job ends without sending: the delivery fails (webhook_disabled)", async () => {
      const { tenant, hook, event } = await userCreatedHook('/paused', () => 503);
      await receiver.waitFor(() => receiver.on('/paused').length > 0);
      await asPlatform(t.http().patch(path(tenant, `/${hook.id}`)))
        .send({ enabled: false })
        .expect(200);
      const d = await settled(tenant, hook.id, event.id, 'failed');
      expect(d).toEqual(
        expect.objectContaining({ lastError: 'webhook_disabled', nextAttemptAt: null }),
      );
      const sent = receiver.on('/paused').length;
      await new Promise((r) => setTimeout(r, 400));
      expect(receiver.on('/paused')).toHaveLength(sent);
      expect(sent).toBe(d.attempts - 1);
      const jobs = await queryDb(
        t.databaseUrl,
        `SELECT 1 FROM graphile_worker.jobs WHERE key = 'webhook_delivery:' || $1`,
        [d.id],
      );
      expect(jobs).toHaveLength(0);
    });

    it('a receiver that never answers: the attempt times out and is retried, and logins are not held up', async () => {
      const tenant = await createTenant(t);
      receiver.answer = (r) => (r.path === '/dead' ? 'hang' : 200);
      const hook = await createWebhook(tenant, { url: receiver.url('/dead'), events: ['*'] });
      const user = await createUser(t, tenant);
      await receiver.waitFor(() => receiver.held > 0);
      // A receiver holds a delivery open: sign-ins (which write events) answer all the same.
      for (let i = 0; i < 3; i++)
        await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      expect(receiver.held).toBeGreaterThan(0);
      const d = await eventually(async () => {
        const found = (await deliveries(tenant, hook.id)).find((x) => x.lastError === 'timeout');
        return found;
      }, 'a timed-out attempt');
      expect(d).toEqual(
        expect.objectContaining({
          status: 'pending',
          lastStatusCode: null,
          lastError: 'timeout',
        }),
      );
      expect(d.nextAttemptAt).not.toBeNull();
    });

    it('takes at most 10 attempts at once per instance: hanging receivers hold at most 10 sockets', async () => {
      const tenant = await createTenant(t);
      receiver.answer = (r) => (r.path === '/crowd' ? 'hang' : 200);
      await createWebhook(tenant, { url: receiver.url('/crowd'), events: ['TENANT_CHANGED'] });
      await queryDb(
        t.databaseUrl,
        `INSERT INTO audit_events (tenant_id, type, actor_type, data)
         SELECT $1, 'TENANT_CHANGED', 'platform', '{}' FROM generate_series(1, 15)`,
        [tenant.id],
      );
      let most = 0;
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        most = Math.max(most, receiver.held);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(most).toBe(10);
    });

    it('410 fails the delivery and disables the webhook (disabledReason "gone"); a disabled webhook gets no new deliveries', async () => {
      const { tenant, hook, event } = await userCreatedHook('/gone', () => 410);
      const d = await settled(tenant, hook.id, event.id, 'failed');
      expect(d).toEqual(
        expect.objectContaining({ attempts: 1, lastStatusCode: 410, nextAttemptAt: null }),
      );
      const after = await asPlatform(t.http().get(path(tenant, `/${hook.id}`))).expect(200);
      expect(after.body).toEqual(
        expect.objectContaining({ enabled: false, disabledReason: 'gone' }),
      );

      const [disabled] = await auditEvents(t, tenant.slug, { type: 'WEBHOOK_CHANGED' });
      expect(disabled).toEqual(
        expect.objectContaining({
          actor: { type: 'platform', id: null },
          data: {
            webhookId: hook.id,
            action: 'disabled',
            reason: 'gone',
            host: '127.0.0.1',
            events: ['USER_CREATED'],
            enabled: false,
          },
        }),
      );
      await createUser(t, tenant);
      expect(await deliveries(tenant, hook.id)).toHaveLength(1);

      // Retrying while disabled is refused; re-enabled, the retry is accepted and delivered.
      expectErrorResponse(
        await asPlatform(t.http().post(path(tenant, `/${hook.id}/deliveries/${d.id}/retry`))),
        409,
        'CONFLICT',
      );
      receiver.answer = () => 200;
      const enabled = await asPlatform(t.http().patch(path(tenant, `/${hook.id}`)))
        .send({ enabled: true })
        .expect(200);
      expect(enabled.body).toEqual(
        expect.objectContaining({ enabled: true, disabledReason: null }),
      );
      const retried = await asPlatform(
        t.http().post(path(tenant, `/${hook.id}/deliveries/${d.id}/retry`)),
      ).expect(202);
      expect(retried.body).toEqual(
        expect.objectContaining({ id: d.id, status: 'pending', eventId: event.id }),
      );
      const done = await settled(tenant, hook.id, event.id, 'delivered');
      expect(done).toEqual(expect.objectContaining({ attempts: 2, lastStatusCode: 200 }));
      expect(receiver.on('/gone').map((r) => r.answered)).toEqual([410, 200]);
    });

    it('gives up 24 hours after the event: the next failed attempt then fails the delivery', async () => {
      const { tenant, hook, event } = await userCreatedHook('/down', () => 503);
      await eventually(async () => {
        const d = (await deliveries(tenant, hook.id))[0];
        return d && d.attempts >= 2 ? d : undefined;
      }, 'two attempts');
      // Fast-forward: the delivery is now 24 hours old.
      await queryDb(
        t.databaseUrl,
        `UPDATE webhook_deliveries SET give_up_at = now() - interval '1 second',
                created_at = created_at - interval '24 hours' WHERE webhook_id = $1`,
        [hook.id],
      );
      const d = await settled(tenant, hook.id, event.id, 'failed');
      expect(d).toEqual(
        expect.objectContaining({
          lastStatusCode: 503,
          lastError: 'http_503',
          nextAttemptAt: null,
        }),
      );
      // The webhook stays enabled: only 410 disables it.
      const hookNow = await asPlatform(t.http().get(path(tenant, `/${hook.id}`))).expect(200);
      expect(hookNow.body.enabled).toBe(true);
    });

    it('signs with the rotated secret from the rotation on', async () => {
      const tenant = await createTenant(t);
      const hook = await createWebhook(tenant, {
        url: receiver.url('/rotated'),
        events: ['USER_CREATED'],
      });
      const rotated = await asPlatform(
        t.http().post(path(tenant, `/${hook.id}/rotate-secret`)),
      ).expect(200);
      const newSecret = rotated.body.secret as string;
      const user = await createUser(t, tenant);
      const [event] = await auditEvents(t, tenant.slug, { type: 'USER_CREATED', userId: user.id });
      const [r] = await receiver
        .waitFor(() => receiver.on('/rotated').length > 0)
        .then(() => receiver.on('/rotated'));
      expect(r.headers['webhook-id']).toBe(event.id);
      expect(verifyWebhook(newSecret, r).data.id).toBe(event.id);
      expect(() => verifyWebhook(hook.secret, r)).toThrow();
      // The secret's GET still shows none of it.
      const got = await asPlatform(t.http().get(path(tenant, `/${hook.id}`))).expect(200);
      expect(JSON.stringify(got.body)).not.toContain('whsec_');
    });

    it('lists deliveries newest first with a cursor', async () => {
      const tenant = await createTenant(t);
      const hook = await createWebhook(tenant, {
        url: receiver.url('/paged'),
        events: ['USER_CREATED'],
      });
      for (let i = 0; i < 3; i++) await createUser(t, tenant);
      const events = await auditEvents(t, tenant.slug, { type: 'USER_CREATED' });
      const first = await asPlatform(t.http().get(path(tenant, `/${hook.id}/deliveries`)))
        .query({ limit: 2 })
        .expect(200);
      expect(first.body.items.map((d: DeliveryItem) => d.eventId)).toEqual(
        events.slice(0, 2).map((e) => e.id),
      );
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await asPlatform(t.http().get(path(tenant, `/${hook.id}/deliveries`)))
        .query({ limit: 2, cursor: first.body.nextCursor })
        .expect(200);
      expect(second.body.items.map((d: DeliveryItem) => d.eventId)).toEqual([events[2].id]);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  it('documents every webhook route in /docs-json', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const base = '/v1/tenants/{slug}/webhooks';
    expect(Object.keys(doc.paths[base]).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[`${base}/{id}`]).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths[`${base}/{id}/rotate-secret`])).toEqual(['post']);
    expect(Object.keys(doc.paths[`${base}/{id}/deliveries`])).toEqual(['get']);
    expect(
      Object.keys(doc.paths[`${base}/{id}/deliveries/{deliveryId}/retry`].post.responses),
    ).toContain('202');
  });

  describe('the outbox', () => {
    it('purges finished deliveries past AUDIT_RETENTION_DAYS, keeping pending ones', async () => {
      const tenant = await createTenant(t);
      const hook = await createWebhook(tenant, { url: receiver.url('/purge'), events: ['*'] });
      await createUser(t, tenant);
      await createUser(t, tenant);
      const delivered = await eventually(async () => {
        const all = await deliveries(tenant, hook.id);
        return all.length >= 2 && all.every((d) => d.status === 'delivered') ? all : undefined;
      }, 'deliveries delivered');
      // One delivered long ago, one pending (as if due later) long ago: only the first goes.
      const [oldDone, oldPending] = delivered;
      await queryDb(
        t.databaseUrl,
        `UPDATE webhook_deliveries SET created_at = now() - interval '400 days',
                status = CASE WHEN id = $2 THEN 'pending' ELSE status END,
                next_attempt_at = CASE WHEN id = $2 THEN now() + interval '1 day' ELSE next_attempt_at END
          WHERE id IN ($1, $2)`,
        [oldDone.id, oldPending.id],
      );
      expect(await t.app.get(WebhookDeliveryPurgeJob).run()).toBeGreaterThanOrEqual(1);
      const left = (await deliveries(tenant, hook.id)).map((d) => d.id);
      expect(left).not.toContain(oldDone.id);
      expect(left).toContain(oldPending.id);
      expect(left).toHaveLength(delivered.length - 1);
    });

    it("is written with its job by the event's own transaction: rolled back with it, committed with it", async () => {
      const tenant = await createTenant(t);
      const hook = await createWebhook(tenant, { url: receiver.url('/tx'), events: ['*'] });
      const before = (await deliveries(tenant, hook.id)).length;
      const client = new Client({ connectionString: t.databaseUrl });
      await client.connect();
      const insert = `INSERT INTO audit_events (tenant_id, type, actor_type, data)
                      VALUES ($1, 'TENANT_CHANGED', 'platform', '{}') RETURNING id`;
      try {
        await client.query('BEGIN');
        const rolledBack = (await client.query(insert, [tenant.id])).rows[0].id as string;
        const job = `SELECT d.id FROM webhook_deliveries d
                       JOIN graphile_worker.jobs j ON j.key = 'webhook_delivery:' || d.id
                      WHERE d.event_id = $1 AND j.task_identifier = 'webhook_delivery'`;
        // The delivery and its job, written by the event's own statement.
        const [delivery] = (await client.query(job, [rolledBack])).rows as { id: string }[];
        expect(delivery).toBeDefined();
        await client.query('ROLLBACK');
        // Neither outlives the rollback.
        expect((await client.query(job, [rolledBack])).rowCount).toBe(0);
        expect(
          (
            await client.query(
              `SELECT 1 FROM graphile_worker.jobs WHERE key = 'webhook_delivery:' || $1`,
              [delivery.id],
            )
          ).rowCount,
        ).toBe(0);
        await client.query('BEGIN');
        const committed = (await client.query(insert, [tenant.id])).rows[0].id as string;
        await client.query('COMMIT');
        await settled(tenant, hook.id, committed, 'delivered');
        const all = await deliveries(tenant, hook.id);
        expect(all).toHaveLength(before + 1);
        expect(all.map((d) => d.eventId)).not.toContain(rolledBack);
      } finally {
        await client.end();
      }
    });
  });
});
