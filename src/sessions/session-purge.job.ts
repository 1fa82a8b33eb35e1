import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, OtpRetentionPurgeJob } from '../database/locked-job';

/**
 * Ended sessions (revoked or timed out: `expires_at` is then in the past) go OTP_RETENTION_SECONDS
 * after their end, with their refresh tokens (cascade). Their history stays in the audit log.
 */
@Injectable()
export class SessionPurgeJob extends OtpRetentionPurgeJob {
  protected readonly jobName = 'SessionPurge';
  protected readonly lockKey = ADVISORY_LOCKS.sessionPurge;
  protected readonly deleteBatch = expiredRowsBatch('sessions');
}
