import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, ExpiredRowsPurgeJob } from '../database/locked-job';

/**
 * Ended sessions (revoked or timed out: `expires_at` is then in the past) go OTP_RETENTION_SECONDS
 * after their end, with their refresh tokens (cascade). Their history stays in the audit log.
 */
@Injectable()
export class SessionPurgeJob extends ExpiredRowsPurgeJob {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(otpConfig.KEY) cfg: ConfigType<typeof otpConfig>,
  ) {
    super(
      'SessionPurge',
      dataSource,
      ADVISORY_LOCKS.sessionPurge,
      expiredRowsBatch('sessions'),
      cfg,
    );
  }
}
