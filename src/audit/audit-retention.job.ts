import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { LockedJob, PurgeRecorder } from '../database/locked-job';
import { AuditService } from './audit.service';

/** Deletes audit events older than AUDIT_RETENTION_DAYS, daily, on one instance at a time. */
@Injectable()
export class AuditRetentionJob {
  private readonly job: LockedJob;

  constructor(
    audit: AuditService,
    @InjectDataSource() dataSource: DataSource,
    @Inject(auditConfig.KEY) cfg: ConfigType<typeof auditConfig>,
    recorder: PurgeRecorder,
  ) {
    this.job = new LockedJob(
      'AuditRetention',
      dataSource,
      ADVISORY_LOCKS.auditRetention,
      () => audit.purgeOlderThan(cfg.retentionDays),
      () => recorder,
    );
  }

  /** Events deleted, or undefined when another instance holds the lock (or it failed). */
  @Cron('17 3 * * *', { name: 'audit-retention', timeZone: 'UTC' })
  run(): Promise<number | undefined> {
    return this.job.run();
  }
}
