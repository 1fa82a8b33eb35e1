import { Logger, runMigrations } from 'graphile-worker';
import { Pool } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** The job key of a delivery: at most one waiting job each (add_job replaces a waiting one). */
const JOB_KEY = `'webhook_delivery:' || id`;

/** graphile-worker's migration messages are not ours to print. */
const SILENT = new Logger(() => () => undefined);

/**
 * Webhook deliveries run as graphile-worker jobs (issue 15): the audit_events trigger still writes
 * the delivery log (webhook_deliveries) and now also adds each delivery's job through
 * graphile_worker.add_job, graphile-worker's public SQL API, in the same transaction as the event
 * (the outbox). graphile-worker's schema is its own: installed here by its runMigrations (on its
 * own connection, a no-op when present) so that whatever runs our migrations (the app at start or
 * the TypeORM CLI), the trigger never finds it missing. Pending deliveries of the old poller get
 * their jobs.
 */
export class WebhookJobQueue1796800000000 implements MigrationInterface {
  name = 'WebhookJobQueue1796800000000';

  public async up(q: QueryRunner): Promise<void> {
    const { url } = q.connection.options as PostgresConnectionOptions;
    const pool = new Pool({ connectionString: url, max: 1 });
    // graphile-worker asks for both handlers: a connection the server ends is then not thrown.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      await runMigrations({ pgPool: pool, logger: SILENT });
    } finally {
      await pool.end();
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION webhook_deliveries_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        queued uuid[];
      BEGIN
        WITH added AS (
          INSERT INTO webhook_deliveries
                 (tenant_id, webhook_id, event_id, event_type, next_attempt_at, give_up_at)
          SELECT e.tenant_id, w.id, e.id, e.type, now(), now() + interval '24 hours'
            FROM new_events e
            JOIN webhooks w ON w.tenant_id = e.tenant_id AND w.enabled
                           AND (e.type = ANY (w.events) OR '*' = ANY (w.events))
           ORDER BY e.seq, w.created_at
          RETURNING id
        )
        SELECT array_agg(id) INTO queued FROM added;
        -- Only when there is a delivery: an event no webhook wants costs nothing more.
        IF queued IS NOT NULL THEN
          PERFORM graphile_worker.add_job('webhook_delivery', json_build_object('deliveryId', id),
                                          job_key => ${JOB_KEY})
             FROM unnest(queued) AS id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      SELECT graphile_worker.add_job('webhook_delivery', json_build_object('deliveryId', id),
                                     run_at => next_attempt_at, job_key => ${JOB_KEY})
        FROM webhook_deliveries WHERE status = 'pending'`);
    await q.query('DROP INDEX webhook_deliveries_due_idx');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION webhook_deliveries_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_deliveries
               (tenant_id, webhook_id, event_id, event_type, next_attempt_at, give_up_at)
        SELECT e.tenant_id, w.id, e.id, e.type, now(), now() + interval '24 hours'
          FROM new_events e
          JOIN webhooks w ON w.tenant_id = e.tenant_id AND w.enabled
                         AND (e.type = ANY (w.events) OR '*' = ANY (w.events))
         ORDER BY e.seq, w.created_at;
        RETURN NULL;
      END $$`);
  }
}
