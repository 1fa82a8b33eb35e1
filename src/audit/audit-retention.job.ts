import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { AuditRetentionPurgeJob } from '../database/locked-job';

/** Deletes audit events older than AUDIT_RETENTION_DAYS, daily, on one instance at a time. */
@Injectable()
export class AuditRetentionJob extends AuditRetentionPurgeJob {
  protected readonly jobName = 'AuditRetention';
  protected readonly lockKey = ADVISORY_LOCKS.auditRetention;
  protected readonly dailyAt = '17 3 * * *';
  protected readonly deleteBatch = `DELETE FROM audit_events WHERE id IN (
    SELECT id FROM audit_events WHERE created_at < now() - make_interval(days => $1) LIMIT $2)`;
}
