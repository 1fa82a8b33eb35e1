import { DataSource } from 'typeorm';
import { ENTITY_PATHS } from '../../config/entity-paths';
import { buildTypeOrmOptions } from '../../src/database/typeorm-options';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/**
 * For one describe block: a data source of our entities and migrations on a fresh database,
 * none of them run yet. `bind` receives it.
 */
function useFreshDataSource(bind: (ds: DataSource) => void): void {
  let databaseUrl: string | undefined;
  let ds: DataSource | undefined;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ds = new DataSource(buildTypeOrmOptions(databaseUrl, 2, ENTITY_PATHS));
    await ds.initialize();
    bind(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });
}

describe('schema', () => {
  let ds: DataSource;
  useFreshDataSource((source) => (ds = source));
  beforeAll(() => ds.runMigrations({ transaction: 'each' }));

  it('the entities describe exactly what the migrations built (migration:generate finds nothing)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('every migration reverts cleanly and applies again', async () => {
    const count = ds.migrations.length;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(left).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});

describe('the switch of webhook deliveries to graphile-worker (migration 1796800000000)', () => {
  let ds: DataSource;
  useFreshDataSource((source) => (ds = source));

  const jobsOf = (deliveryIds: string[]) =>
    ds.query(
      `SELECT key, run_at, t.identifier AS task_identifier, payload FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE key = ANY ($1::text[]) ORDER BY key`,
      [deliveryIds.map((id) => `webhook_delivery:${id}`)],
    ) as Promise<{ key: string; run_at: Date; task_identifier: string; payload: unknown }[]>;

  it("installs graphile-worker's schema, gives the poller's pending deliveries their jobs, and the trigger adds jobs", async () => {
    // A database as the poller left it: every migration before the switch, no graphile_worker.
    await ds.runMigrations({ transaction: 'each' });
    await ds.undoLastMigration({ transaction: 'each' });
    expect(ds.migrations.at(-1)?.name).toBe('WebhookJobQueue1796800000000');
    await ds.query('DROP SCHEMA graphile_worker CASCADE');
    const [tenant] = await ds.query(
      `INSERT INTO tenants (slug, name) VALUES ('upgrade', 'Upgrade') RETURNING id`,
    );
    const [hook] = await ds.query(
      `INSERT INTO webhooks (tenant_id, url, events, secret)
       VALUES ($1, 'https://hooks.example.com/in', '{*}', 'sealed') RETURNING id`,
      [tenant.id],
    );
    const deliveries: { id: string; status: string }[] = await ds.query(
      `INSERT INTO webhook_deliveries
              (tenant_id, webhook_id, event_id, event_type, status, next_attempt_at, give_up_at)
       SELECT $1, $2, gen_random_uuid(), 'TENANT_CHANGED', s,
              CASE WHEN s = 'pending' THEN now() + interval '1 hour' END, now() + interval '1 day'
         FROM unnest(ARRAY['pending', 'delivered']) s
       RETURNING id, status`,
      [tenant.id, hook.id],
    );
    const pending = deliveries.find((d) => d.status === 'pending')!;
    const delivered = deliveries.find((d) => d.status === 'delivered')!;

    await ds.runMigrations({ transaction: 'each' });
    const [due] = await ds.query(`SELECT next_attempt_at FROM webhook_deliveries WHERE id = $1`, [
      pending.id,
    ]);
    const jobs = await jobsOf([pending.id, delivered.id]);
    expect(jobs).toEqual([
      {
        key: `webhook_delivery:${pending.id}`,
        run_at: due.next_attempt_at,
        task_identifier: 'webhook_delivery',
        payload: { deliveryId: pending.id },
      },
    ]);

    // An event from now on: its delivery and the delivery's job, from the trigger.
    const [event] = await ds.query(
      `INSERT INTO audit_events (tenant_id, type, actor_type, data)
       VALUES ($1, 'TENANT_CHANGED', 'platform', '{}') RETURNING id`,
      [tenant.id],
    );
    const [added] = await ds.query(`SELECT id FROM webhook_deliveries WHERE event_id = $1`, [
      event.id,
    ]);
    expect(await jobsOf([added.id])).toEqual([
      expect.objectContaining({
        task_identifier: 'webhook_delivery',
        payload: { deliveryId: added.id },
      }),
    ]);
  });
});
