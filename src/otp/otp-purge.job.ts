import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, OtpRetentionPurgeJob } from '../database/locked-job';

/**
 * Rule 8: deletes challenges whose expiry is older than OTP_RETENTION_SECONDS (so a late code
 * still answers OTP_EXPIRED within a sign-in), in batches, on one instance at a time
 * (OTP_PURGE_CRON). It never touches failure counts or the audit log.
 */
@Injectable()
export class OtpPurgeJob extends OtpRetentionPurgeJob {
  protected readonly jobName = 'OtpPurge';
  protected readonly lockKey = ADVISORY_LOCKS.otpPurge;
  protected readonly deleteBatch = expiredRowsBatch('otp_challenges');
}
