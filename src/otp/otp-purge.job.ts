import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS, ifAdvisoryLockFree } from '../database/advisory-lock';

const BATCH = 5000;

/**
 * Rule 8: deletes challenges whose expiry is older than OTP_RETENTION_SECONDS (so a late code
 * still answers OTP_EXPIRED within a sign-in), in batches, on one instance at a time
 * (OTP_PURGE_CRON). It never touches failure counts or the audit log.
 */
@Injectable()
export class OtpPurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OtpPurge');
  private job?: CronJob;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(otpConfig.KEY) private readonly cfg: ConfigType<typeof otpConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.job = CronJob.from({
      cronTime: this.cfg.purgeCron,
      onTick: () => void this.run(),
      start: true,
      timeZone: 'UTC',
    });
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  /** Deleted rows, or undefined when another instance holds the purge lock. */
  async run(): Promise<number | undefined> {
    try {
      const deleted = await ifAdvisoryLockFree(
        this.dataSource,
        ADVISORY_LOCKS.otpPurge,
        async () => {
          let total = 0;
          for (;;) {
            const result = (await this.dataSource.query(
              `DELETE FROM otp_challenges WHERE id IN (
               SELECT id FROM otp_challenges
                WHERE expires_at < now() - make_interval(secs => $1) LIMIT $2)`,
              [this.cfg.retentionSeconds, BATCH],
            )) as [unknown[], number];
            total += result[1];
            if (result[1] < BATCH) return total;
          }
        },
      );
      if (deleted) this.logger.log(`purged ${deleted} expired challenge(s)`);
      return deleted;
    } catch (err) {
      this.logger.error({ err }, 'OTP purge failed');
      return undefined;
    }
  }
}
