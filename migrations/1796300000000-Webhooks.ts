import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (API.md v1.1 §12): the subscriptions, and their deliveries as an outbox that is also
 * the queue. A trigger on audit_events writes the deliveries in the event's own statement, so an
 * event and what it owes its webhooks commit together however the event was written (AuditService
 * one by one, batched, or as a CTE inside a bigger statement), and the audit module knows nothing
 * of webhooks.
 */
export class Webhooks1796300000000 implements MigrationInterface {
  name = 'Webhooks1796300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        url varchar(2048) NOT NULL,
        events text[] NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason varchar(32) NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhooks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX webhooks_tenant_created_idx ON webhooks (tenant_id, created_at)');
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type varchar(40) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer NULL,
        last_error varchar(200) NULL,
        next_attempt_at timestamptz NULL,
        give_up_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz NULL,
        CONSTRAINT webhook_deliveries_seq_key UNIQUE (seq),
        CONSTRAINT webhook_deliveries_webhook_event_key UNIQUE (webhook_id, event_id),
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
        CONSTRAINT webhook_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE CASCADE
      )`);
    // What the workers claim: only the pending rows, by due time.
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      'CREATE INDEX webhook_deliveries_webhook_seq_idx ON webhook_deliveries (webhook_id, seq DESC)',
    );
    // One statement-level trigger: a batch of events costs one INSERT … SELECT, whatever its size.
    await q.query(`
      CREATE FUNCTION webhook_deliveries_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`
      CREATE TRIGGER audit_events_webhook_deliveries AFTER INSERT ON audit_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_enqueue()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_events_webhook_deliveries ON audit_events');
    await q.query('DROP FUNCTION webhook_deliveries_enqueue()');
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhooks');
  }
}
