import { WebhookOutbox } from '../../src/webhooks/webhook-outbox';
import { createAsPlatform, createTenant, TestTenant } from '../factories/tenants.factory';
import { createTestDatabase, dropTestDatabase, queryDb } from '../support/database';
import { expectValidationError } from '../support/http-assertions';
import { startSecondInstance } from '../support/second-instance';
import { productionEnvironment, startTestApp, TestApp } from '../support/test-app';
import {
  eventually,
  FAST_WEBHOOKS,
  verifyWebhook,
  WebhookReceiver,
} from '../support/webhook-receiver';

/** `n` audit events for `tenant` in one statement (the trigger sees them as one batch). */
async function insertEvents(databaseUrl: string, tenantId: string, n: number): Promise<string[]> {
  const rows = await queryDb<{ id: string }>(
    databaseUrl,
    `INSERT INTO audit_events (tenant_id, type, actor_type, data)
     SELECT $1, 'TENANT_CHANGED', 'platform', jsonb_build_object('n', i)
       FROM generate_series(1, $2) i RETURNING id`,
    [tenantId, n],
  );
  return rows.map((r) => r.id);
}

const createWebhook = (t: TestApp, tenant: TestTenant, body: Record<string, unknown>) =>
  createAsPlatform<{ id: string; secret: string }>(t, `/v1/tenants/${tenant.slug}/webhooks`, body);

const statusCounts = (databaseUrl: string, webhookId: string) =>
  queryDb<{ status: string; attempts: number; n: string }>(
    databaseUrl,
    `SELECT status, attempts, count(*) AS n FROM webhook_deliveries WHERE webhook_id = $1
      GROUP BY status, attempts ORDER BY status, attempts`,
    [webhookId],
  );

describe('webhook deliveries across restarts and instances', () => {
  let receiver: WebhookReceiver;
  let databaseUrl: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
  });
  beforeEach(async () => {
    databaseUrl = await createTestDatabase();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await dropTestDatabase(databaseUrl);
    receiver.answer = () => 200;
  });
  afterAll(() => receiver.stop());

  const start = async (env: Record<string, string> = {}) => {
    const app = await startTestApp({ databaseUrl, env: { ...FAST_WEBHOOKS, ...env } });
    apps.push(app);
    return app;
  };

  /** Counts the deliveries `app`'s outbox claims from now on (the real outbox, observed). */
  function countClaims(app: TestApp): () => number {
    const outbox = app.app.get(WebhookOutbox);
    const claim = outbox.claim.bind(outbox);
    let claimed = 0;
    outbox.claim = async (deliveryId) => {
      const row = await claim(deliveryId);
      if (row) claimed += 1;
      return row;
    };
    return () => claimed;
  }

  /**
   * 60 TENANT_CHANGED events of `tenant` for a webhook at `path`, created through `app`, on a slow
   * receiver (so that every instance has attempts in flight at once): once each has arrived, and
   * any duplicate had the time to.
   */
  async function deliverSixtyEvents(app: TestApp, tenant: TestTenant, path: string) {
    receiver.answer = () => new Promise((resolve) => setTimeout(() => resolve(200), 40));
    const hook = await createWebhook(app, tenant, {
      url: receiver.url(path),
      events: ['TENANT_CHANGED'],
    });
    const ids = await insertEvents(databaseUrl, tenant.id, 60);
    await receiver.waitFor(() =>
      ids.every((id) => receiver.on(path).some((r) => r.headers['webhook-id'] === id)),
    );
    await new Promise((r) => setTimeout(r, 300));
    return { hook, ids };
  }

  it('a restart in the middle of a backlog loses nothing: the next instance delivers every event', async () => {
    const first = await start();
    const tenant = await createTenant(first);
    receiver.answer = (r) => (r.path === '/backlog' ? 503 : 200);
    const hook = await createWebhook(first, tenant, {
      url: receiver.url('/backlog'),
      events: ['TENANT_CHANGED'],
    });
    const before = await insertEvents(databaseUrl, tenant.id, 20);
    // Every delivery tried and refused at least once: a backlog of pending retries.
    await eventually(async () => {
      const counts = await statusCounts(databaseUrl, hook.id);
      const pendingTried = counts
        .filter((c) => c.status === 'pending' && c.attempts >= 1)
        .reduce((s, c) => s + Number(c.n), 0);
      return pendingTried === 20 ? true : undefined;
    }, 'a backlog of 20 tried deliveries');
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // Events written while no instance runs are owed too.
    const during = await insertEvents(databaseUrl, tenant.id, 5);
    receiver.answer = () => 200;
    await start();
    const expected = [...before, ...during];
    await receiver.waitFor(() =>
      expected.every((id) =>
        receiver.on('/backlog').some((r) => r.headers['webhook-id'] === id && r.answered === 200),
      ),
    );
    const delivered = receiver.on('/backlog').filter((r) => r.answered === 200);
    for (const r of delivered) expect(expected).toContain(verifyWebhook(hook.secret, r).data.id);
    expect(new Set(delivered.map((r) => r.headers['webhook-id'])).size).toBe(expected.length);
    await eventually(async () => {
      const counts = await statusCounts(databaseUrl, hook.id);
      return counts.every((c) => c.status === 'delivered') ? counts : undefined;
    }, 'every delivery marked delivered');
  });

  it('shutdown waits for the attempts in flight and records them', async () => {
    const app = await start();
    const tenant = await createTenant(app);
    receiver.answer = (r) =>
      r.path === '/slow' ? new Promise((resolve) => setTimeout(() => resolve(200), 600)) : 200;
    const hook = await createWebhook(app, tenant, {
      url: receiver.url('/slow'),
      events: ['TENANT_CHANGED'],
    });
    const [id] = await insertEvents(databaseUrl, tenant.id, 1);
    await receiver.waitFor(() => receiver.on('/slow').some((r) => r.headers['webhook-id'] === id));
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    expect(await statusCounts(databaseUrl, hook.id)).toEqual([
      { status: 'delivered', attempts: 1, n: '1' },
    ]);
  });

  it('two instances on one database deliver each event once, sharing the work', async () => {
    const a = await start();
    const b = await start();
    const [claimedByA, claimedByB] = [countClaims(a), countClaims(b)];
    const tenant = await createTenant(a);
    const { hook } = await deliverSixtyEvents(b, tenant, '/shared');
    const perEvent = new Map<string, number>();
    for (const r of receiver.on('/shared')) {
      const id = String(r.headers['webhook-id']);
      perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
    }
    expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
    expect(perEvent.size).toBe(60);
    expect(await statusCounts(databaseUrl, hook.id)).toEqual([
      { status: 'delivered', attempts: 1, n: '60' },
    ]);
    expect(claimedByA() + claimedByB()).toBe(60);
    expect(claimedByA()).toBeGreaterThan(0);
    expect(claimedByB()).toBeGreaterThan(0);
  });

  it('with a second instance in its own process (src/main.ts, production), each event is delivered once', async () => {
    const primary = await start();
    const primaryClaimed = countClaims(primary);
    // Production: the test receiver's host must be listed.
    const second = await startSecondInstance(primary, {
      ...FAST_WEBHOOKS,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    });
    try {
      const tenant = await createTenant(primary);
      const { hook, ids } = await deliverSixtyEvents(primary, tenant, '/processes');
      const got = receiver.on('/processes').map((r) => verifyWebhook(hook.secret, r).data.id);
      expect(got.sort()).toEqual([...ids].sort());
      expect(await statusCounts(databaseUrl, hook.id)).toEqual([
        { status: 'delivered', attempts: 1, n: '60' },
      ]);
      // The other process delivered the rest.
      expect(primaryClaimed()).toBeLessThan(60);
    } finally {
      await second.stop();
    }
  });

  describe('production', () => {
    const production = (extra: Record<string, string> = {}) =>
      productionEnvironment(databaseUrl, extra);
    /** A webhook for `events` at `url` posted by the platform, whatever the answer. */
    const postWebhook = (t: TestApp, tenant: TestTenant, url: string, events: string[]) =>
      t
        .http()
        .post(`/v1/tenants/${tenant.slug}/webhooks`)
        .set('X-Api-Key', t.platformKey)
        .send({ url, events });

    it("requires https and refuses internal addresses (channels' host rules)", async () => {
      const t = await start(production());
      expect(t.config.runtime.production).toBe(true);
      const tenant = await createTenant(t);
      const post = (url: string) => postWebhook(t, tenant, url, ['TWO_FACTOR_LOCKED']);
      for (const url of [
        receiver.url('/prod'),
        'http://hooks.example.com/x',
        'https://127.0.0.1/x',
        'https://2130706433/x',
        'https://10.1.2.3/x',
        'https://192.168.0.10/x',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/x',
        'https://[::ffff:127.0.0.1]/x',
        'https://localhost/x',
        'https://api.localhost/x',
      ])
        expectValidationError(await post(url), 'url');
      await post('https://hooks.example.com/efcx').expect(201);
      // PATCH follows the same rules.
      const list = await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/webhooks`)
        .set('X-Api-Key', t.platformKey)
        .expect(200);
      expectValidationError(
        await t
          .http()
          .patch(`/v1/tenants/${tenant.slug}/webhooks/${list.body.items[0].id}`)
          .set('X-Api-Key', t.platformKey)
          .send({ url: 'https://127.0.0.1/x' }),
        'url',
      );
    });

    it('checks again at delivery: a URL that is no longer allowed is not called (host_refused)', async () => {
      const t = await start(production());
      const tenant = await createTenant(t);
      const hook = await createWebhook(t, tenant, {
        url: 'https://hooks.example.com/efcx',
        events: ['TENANT_CHANGED'],
      });
      // As if it had been allowed once (WEBHOOK_ALLOWED_HOSTS since changed): now internal and http.
      await queryDb(databaseUrl, 'UPDATE webhooks SET url = $1 WHERE id = $2', [
        receiver.url('/refused'),
        hook.id,
      ]);
      const [eventId] = await insertEvents(databaseUrl, tenant.id, 1);
      const d = await eventually(async () => {
        const rows = await queryDb<{ attempts: number; last_error: string | null }>(
          databaseUrl,
          'SELECT attempts, last_error FROM webhook_deliveries WHERE event_id = $1',
          [eventId],
        );
        // The claim counts the attempt first; its outcome is recorded after it.
        return rows[0]?.last_error ? rows[0] : undefined;
      }, 'an attempt with its outcome');
      expect(d.attempts).toBe(1);
      expect(d.last_error).toBe('host_refused');
      expect(receiver.on('/refused')).toEqual([]);
    });

    it('WEBHOOK_ALLOWED_HOSTS: only listed hosts, and a listed one may be inside and plain http', async () => {
      const t = await start(production({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,*.hooks.example.com' }));
      const tenant = await createTenant(t);
      const post = (url: string) => postWebhook(t, tenant, url, ['WEBHOOK_CHANGED']);
      expectValidationError(await post('https://other.example.com/x'), 'url');
      expectValidationError(await post('https://10.0.0.1/x'), 'url');
      await post('https://a.hooks.example.com/x').expect(201);
      const hook = (await post(receiver.url('/listed')).expect(201)).body as { secret: string };
      // It gets the WEBHOOK_CHANGED of its own creation, from the production instance.
      const [r] = await receiver
        .waitFor(() => receiver.on('/listed').length > 0)
        .then(() => receiver.on('/listed'));
      expect(verifyWebhook(hook.secret, r).type).toBe('WEBHOOK_CHANGED');
    });
  });
});
