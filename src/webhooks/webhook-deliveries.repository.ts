import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql, { empty, Sql } from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { requireTenant } from '../database/query-guards';
import type { DeliveryStatus } from './entities/webhook-delivery.entity';
import type { WebhookDeliveryResponseDto } from './dto/webhook.dto';
import { hostOf } from './webhook-url';

/** A delivery taken by one worker for one attempt, with what the attempt needs of its webhook. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** This attempt's number: the worker's claim, checked again when it records the outcome. */
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

interface DeliveryRow {
  id: string;
  seq: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

const DELIVERY_COLUMNS = `id, seq, event_id, event_type, status, attempts, last_status_code,
  last_error, next_attempt_at, created_at, delivered_at`;

export function toDeliveryView(r: DeliveryRow): WebhookDeliveryResponseDto {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  };
}

/** The deliveries table is both the outbox (written by the audit_events trigger) and the queue. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Takes up to `limit` due deliveries for one attempt each. SKIP LOCKED lets instances claim side
   * by side without waiting or taking the same row; the claim pushes `next_attempt_at` past the
   * attempt's lease, so the row is due again only if this worker dies before recording the outcome.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const [rows]: [Array<Record<string, unknown>>, number] = await this.db.query(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM due, webhooks w
        WHERE d.id = due.id AND w.id = d.webhook_id
       RETURNING d.id, d.tenant_id, d.webhook_id, d.event_id, d.event_type, d.attempts,
                 w.url, w.secret, w.enabled`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id as string,
      tenantId: r.tenant_id as string,
      webhookId: r.webhook_id as string,
      eventId: r.event_id as string,
      eventType: r.event_type as string,
      attempts: r.attempts as number,
      url: r.url as string,
      sealedSecret: r.secret as string,
      webhookEnabled: r.enabled as boolean,
    }));
  }

  /**
   * Records an attempt's outcome, unless the row moved on meanwhile (another claim after a lost
   * lease, or a manual retry): only the claim that made attempt `attempts` may finish it. A 410
   * also disables the webhook and writes its WEBHOOK_CHANGED (by the service: actor `platform`),
   * in the same statement.
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
        RETURNING id
      )${gone}
      SELECT id FROM done`;
    const rows: unknown[] = await this.db.query(statement.text, statement.values);
    return rows.length > 0;
  }

  /** A webhook's deliveries, newest first, after the cursor's `seq`. */
  async list(
    tenantId: string,
    webhookId: string,
    options: { limit: number; beforeSeq?: string; status?: DeliveryStatus },
  ): Promise<{ items: WebhookDeliveryResponseDto[]; lastSeq: string | null; more: boolean }> {
    requireTenant(tenantId);
    const params: unknown[] = [tenantId, webhookId, options.limit + 1];
    const where = ['tenant_id = $1', 'webhook_id = $2'];
    if (options.beforeSeq) where.push(`seq < $${params.push(options.beforeSeq)}`);
    if (options.status) where.push(`status = $${params.push(options.status)}`);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
        WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $3`,
      params,
    );
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toDeliveryView),
      lastSeq: page.length ? page[page.length - 1].seq : null,
      more: rows.length > options.limit,
    };
  }

  /** Due now again, with a fresh 24 hours of retries (null: no such delivery of this webhook). */
  async requeue(
    tenantId: string,
    webhookId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto | null> {
    requireTenant(tenantId);
    const [rows]: [DeliveryRow[], number] = await this.db.query(
      `UPDATE webhook_deliveries
          SET status = 'pending', next_attempt_at = now(), give_up_at = now() + interval '24 hours'
        WHERE tenant_id = $1 AND webhook_id = $2 AND id = $3
       RETURNING ${DELIVERY_COLUMNS}`,
      [tenantId, webhookId, deliveryId],
    );
    return rows.length ? toDeliveryView(rows[0]) : null;
  }
}
