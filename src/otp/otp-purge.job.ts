import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, ExpiredRowsPurgeJob } from '../database/locked-job';

/**
 * Rule 8: deletes challenges whose expiry is older than OTP_RETENTION_SECONDS (so a late code
 * still answers OTP_EXPIRED within a sign-in), in batches, on one instance at a time
 * (OTP_PURGE_CRON). It never touches failure counts or the audit log.
 */
@Injectable()
export class OtpPurgeJob extends ExpiredRowsPurgeJob {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(otpConfig.KEY) cfg: ConfigType<typeof otpConfig>,
  ) {
    super('OtpPurge', dataSource, ADVISORY_LOCKS.otpPurge, expiredRowsBatch('otp_challenges'), cfg);
  }
}
