import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { expiredRowsPurge, LockedJob } from '../database/locked-job';

/** Sign-ins (mfa sessions) past their expiry by more than OTP_RETENTION_SECONDS go with the codes. */
@Injectable()
export class MfaSessionPurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: LockedJob;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(otpConfig.KEY) private readonly cfg: ConfigType<typeof otpConfig>,
  ) {
    this.job = expiredRowsPurge(
      'MfaSessionPurge',
      dataSource,
      ADVISORY_LOCKS.mfaSessionPurge,
      'mfa_sessions',
      cfg.retentionSeconds,
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.cfg.purgeCron);
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  run(): Promise<number | undefined> {
    return this.job.run();
  }
}
