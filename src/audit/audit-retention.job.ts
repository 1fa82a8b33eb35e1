import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditConfig } from '../../config/app-config';
import { ADVISORY_LOCKS, ifAdvisoryLockFree } from '../database/advisory-lock';
import { AuditService } from './audit.service';

/** Deletes audit events older than AUDIT_RETENTION_DAYS, daily, on one instance at a time. */
@Injectable()
export class AuditRetentionJob {
  private readonly logger = new Logger('AuditRetention');

  constructor(
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(auditConfig.KEY) private readonly cfg: ConfigType<typeof auditConfig>,
  ) {}

  @Cron('17 3 * * *', { name: 'audit-retention', timeZone: 'UTC' })
  async run(): Promise<number | undefined> {
    try {
      const deleted = await ifAdvisoryLockFree(this.dataSource, ADVISORY_LOCKS.auditRetention, () =>
        this.audit.purgeOlderThan(this.cfg.retentionDays),
      );
      if (deleted) this.logger.log(`deleted ${deleted} audit event(s) past retention`);
      return deleted;
    } catch (err) {
      // A scheduled job has no caller: log and try again at the next run.
      this.logger.error({ err }, 'audit retention purge failed');
      return undefined;
    }
  }
}
