import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Pool } from 'pg';
import sql, { empty, raw, Sql } from 'sql-template-tag';
import { databaseConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { hostOf } from './webhook-url';

/** graphile-worker's task name (the audit trigger and the manual retry add its jobs too). */
export const WEBHOOK_DELIVERY_TASK = 'webhook_delivery';

/** Adds the delivery `<column>`'s job (replacing a waiting one), due at `runAt` (SQL). */
export const addDeliveryJob = (column: string, runAt = 'now()') =>
  `graphile_worker.add_job('${WEBHOOK_DELIVERY_TASK}', json_build_object('deliveryId', ${column}),
     run_at => ${runAt}, job_key => 'webhook_delivery:' || ${column})`;

/** A delivery taken by one job for one attempt, with what the attempt needs of its webhook. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** This attempt's number: the job's claim, checked again when it records the outcome. */
  attempts: number;
  url: string;
  sealedSecret: string;
  webhookEnabled: boolean;
}

/** How an attempt ended. `retry` fails the delivery instead when the next try would be too late. */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'gone'; statusCode: number }
  | { kind: 'retry'; statusCode: number | null; error: string; delayMs: number }
  | { kind: 'failed'; statusCode: number | null; error: string };

/**
 * The task's side of webhook_deliveries, the outbox (written by the audit_events trigger with
 * each delivery's job) and the delivery log. It has its own two connections: a backlog never
 * takes one of the requests' connections, and the attempts are not counted in
 * efcx_db_queries_total (the statements of the service's own work, which the statement budgets
 * measure).
 */
@Injectable()
export class WebhookOutbox implements OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly pool: Pool;

  constructor(
    private readonly audit: AuditService,
    @Inject(databaseConfig.KEY) database: ConfigType<typeof databaseConfig>,
  ) {
    this.pool = new Pool({
      connectionString: database.url,
      max: 2,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'efcx-2fa-webhooks',
    });
    // An idle connection lost (database restarted): the next query opens another.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'webhook connection lost'));
  }

  /** After the worker has stopped (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Takes a pending delivery for one attempt (its job runs now). The row lock orders it after any
   * other attempt of it (a manual retry's job while an older one runs); null when it is no longer
   * pending (delivered, failed, deleted).
   */
  async claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `UPDATE webhook_deliveries d SET attempts = d.attempts + 1
         FROM webhooks w
        WHERE d.id = $1 AND d.status = 'pending' AND w.id = d.webhook_id
       RETURNING d.id, d.tenant_id, d.webhook_id, d.event_id, d.event_type, d.attempts,
                 w.url, w.secret, w.enabled`,
      [deliveryId],
    );
    return (
      rows.map((r) => ({
        id: r.id as string,
        tenantId: r.tenant_id as string,
        webhookId: r.webhook_id as string,
        eventId: r.event_id as string,
        eventType: r.event_type as string,
        attempts: r.attempts as number,
        url: r.url as string,
        sealedSecret: r.secret as string,
        webhookEnabled: r.enabled as boolean,
      }))[0] ?? null
    );
  }

  /**
   * Records an attempt's outcome, unless the row moved on meanwhile (a manual retry's attempt):
   * only the claim that made attempt `attempts` may finish it. A retry adds the next job, due
   * after our backoff, and a 410 also disables the webhook and writes its WEBHOOK_CHANGED (by the
   * service: actor `platform`), in the same statement: an outcome is never recorded without what
   * follows from it.
   */
  async finish(claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
    const error = outcome.kind === 'retry' || outcome.kind === 'failed' ? outcome.error : null;
    let set: Sql;
    switch (outcome.kind) {
      case 'delivered':
        set = sql`status = 'delivered', delivered_at = now(), next_attempt_at = NULL`;
        break;
      case 'failed':
      case 'gone':
        set = sql`status = 'failed', next_attempt_at = NULL`;
        break;
      case 'retry': {
        // Retried until give_up_at (24 hours after the event); a try that would come later fails it.
        const next = sql`now() + make_interval(secs => ${outcome.delayMs}::double precision / 1000)`;
        set = sql`status = CASE WHEN ${next} > give_up_at THEN 'failed' ELSE 'pending' END,
                  next_attempt_at = CASE WHEN ${next} > give_up_at THEN NULL ELSE ${next} END`;
        break;
      }
    }
    const gone =
      outcome.kind === 'gone'
        ? sql`, gone AS (
            UPDATE webhooks SET enabled = false, disabled_reason = 'gone', updated_at = now()
             WHERE id = ${claim.webhookId} AND enabled AND EXISTS (SELECT 1 FROM done)
            RETURNING id, events
          ), gone_events AS (
            SELECT 1 AS ord, 'WEBHOOK_CHANGED' AS type,
                   jsonb_build_object('webhookId', id, 'action', 'disabled', 'reason', 'gone',
                                      'host', ${hostOf(new URL(claim.url))}::text,
                                      'events', to_jsonb(events), 'enabled', false) AS data
              FROM gone
          ), ${this.audit.insertion(claim.tenantId, { actor: { type: 'platform', id: null } }, {}, 'gone_events')}`
        : empty;
    const statement = sql`WITH done AS (
        UPDATE webhook_deliveries
           SET ${set}, last_status_code = ${outcome.statusCode}::integer, last_error = ${error}::varchar
         WHERE id = ${claim.id} AND attempts = ${claim.attempts} AND status = 'pending'
        RETURNING id, status, next_attempt_at
      ), next_job AS (
        SELECT 1 FROM done, LATERAL ${raw(addDeliveryJob('done.id', 'done.next_attempt_at'))}
         WHERE done.status = 'pending'
      )${gone}
      SELECT id, (SELECT count(*) FROM next_job) AS queued FROM done`;
    const { rowCount } = await this.pool.query(statement.text, statement.values);
    return (rowCount ?? 0) > 0;
  }
}
