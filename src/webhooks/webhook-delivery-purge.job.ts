import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { AuditRetentionPurgeJob } from '../database/locked-job';

/**
 * Deletes finished deliveries (delivered or failed) older than AUDIT_RETENTION_DAYS, the life of
 * the events they carried; daily, on one instance at a time. Pending ones stay.
 */
@Injectable()
export class WebhookDeliveryPurgeJob extends AuditRetentionPurgeJob {
  protected readonly jobName = 'WebhookDeliveryPurge';
  protected readonly lockKey = ADVISORY_LOCKS.webhookDeliveryPurge;
  protected readonly dailyAt = '37 3 * * *';
  protected readonly deleteBatch = `DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries
     WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)
     LIMIT $2)`;
}
