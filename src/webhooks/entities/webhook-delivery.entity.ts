import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import {
  CreatedAtColumn,
  InsertionOrderColumn,
  ReferenceColumn,
  TimestampColumn,
} from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One audit event owed to one webhook: the outbox and the delivery log. Rows are written by the
 * trigger on audit_events, which also adds each one's graphile-worker job, both in the event's own
 * transaction (see the migrations); the job runs WebhookDeliveryWorker's task.
 */
@Entity({ name: 'webhook_deliveries' })
@Check('webhook_deliveries_status_check', `status IN ('pending', 'delivered', 'failed')`)
@Unique('webhook_deliveries_seq_key', ['seq'])
@Unique('webhook_deliveries_webhook_event_key', ['webhookId', 'eventId'])
// The per-webhook listing (descending): described in the migration.
@Index('webhook_deliveries_webhook_seq_idx', { synchronize: false })
export class WebhookDelivery extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @InsertionOrderColumn()
  seq!: string;

  @ReferenceColumn('Webhook', 'webhook_id')
  webhookId!: string;

  /** The audit event (no foreign key: the retention purge may remove it first). */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError!: string | null;

  /** When the next attempt is due (pending only): the run_at of its job. */
  @TimestampColumn('next_attempt_at', { nullable: true })
  nextAttemptAt!: Date | null;

  /** After this, a failed attempt fails the delivery (24 hours after the event, or the retry). */
  @TimestampColumn('give_up_at')
  giveUpAt!: Date;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn('delivered_at', { nullable: true })
  deliveredAt!: Date | null;
}
