import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsBatch, ExpiredRowsPurgeJob } from '../database/locked-job';

/** Sign-ins (mfa sessions) past their expiry by more than OTP_RETENTION_SECONDS go with the codes. */
@Injectable()
export class PendingSignInPurgeJob extends ExpiredRowsPurgeJob {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(otpConfig.KEY) cfg: ConfigType<typeof otpConfig>,
  ) {
    super(
      'MfaSessionPurge',
      dataSource,
      ADVISORY_LOCKS.mfaSessionPurge,
      expiredRowsBatch('mfa_sessions'),
      cfg,
    );
  }
}
