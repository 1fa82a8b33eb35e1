import { Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, OtpRetentionPurgeJob } from '../database/locked-job';

/** Sign-ins (mfa sessions) past their expiry by more than OTP_RETENTION_SECONDS go with the codes. */
@Injectable()
export class PendingSignInPurgeJob extends OtpRetentionPurgeJob {
  protected readonly jobName = 'MfaSessionPurge';
  protected readonly lockKey = ADVISORY_LOCKS.mfaSessionPurge;
  protected readonly deleteBatch = expiredRowsBatch('mfa_sessions');
}
