import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { OtpRetentionPurgeJob } from '../database/locked-job';

/**
 * Devices that ended go OTP_RETENTION_SECONDS after their end: revoked ones, and ones neither
 * used nor remembered for 90 days (the longest a tenant may remember one). Their history stays in
 * the audit log.
 */
const DEVICE_BATCH = `DELETE FROM devices WHERE id IN (
  SELECT id FROM devices
   WHERE revoked_at < now() - make_interval(secs => $1)
      OR (last_used_at < now() - make_interval(days => 90, secs => $1)
          AND (remembered_until IS NULL OR remembered_until < now() - make_interval(secs => $1)))
   LIMIT $2)`;

@Injectable()
export class DevicePurgeJob extends OtpRetentionPurgeJob {
  protected readonly jobName = 'DevicePurge';
  protected readonly lockKey = ADVISORY_LOCKS.devicePurge;
  protected readonly deleteBatch = DEVICE_BATCH;
}
