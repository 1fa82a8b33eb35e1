import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireTenant } from '../database/query-guards';
import type { DeliveryStatus } from './entities/webhook-delivery.entity';
import type { WebhookDeliveryResponseDto } from './dto/webhook.dto';
import { addDeliveryJob } from './webhook-outbox';

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

/** The delivery log as the admin API reads and re-queues it (the job's side: WebhookOutbox). */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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

  /**
   * Due now again, with a fresh 24 hours of retries, and its job added in the same statement
   * (replacing a waiting one); null: no such delivery of this webhook.
   */
  async requeue(
    tenantId: string,
    webhookId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto | null> {
    requireTenant(tenantId);
    const rows: DeliveryRow[] = await this.db.query(
      `WITH requeued AS (
         UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), give_up_at = now() + interval '24 hours'
          WHERE tenant_id = $1 AND webhook_id = $2 AND id = $3
         RETURNING ${DELIVERY_COLUMNS}
       )
       SELECT requeued.* FROM requeued, LATERAL ${addDeliveryJob('requeued.id')} AS job`,
      [tenantId, webhookId, deliveryId],
    );
    return rows.length ? toDeliveryView(rows[0]) : null;
  }
}
