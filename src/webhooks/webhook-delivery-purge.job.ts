import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { LockedJob, PurgeRecorder } from '../database/locked-job';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

/**
 * Deletes finished deliveries (delivered or failed) older than AUDIT_RETENTION_DAYS, the life of
 * the events they carried; daily, on one instance at a time. Pending ones stay.
 */
@Injectable()
export class WebhookDeliveryPurgeJob {
  private readonly job: LockedJob;

  constructor(
    deliveries: WebhookDeliveriesRepository,
    @InjectDataSource() dataSource: DataSource,
    @Inject(auditConfig.KEY) cfg: ConfigType<typeof auditConfig>,
    recorder: PurgeRecorder,
  ) {
    this.job = new LockedJob(
      'WebhookDeliveryPurge',
      dataSource,
      ADVISORY_LOCKS.webhookDeliveryPurge,
      () => deliveries.purgeFinishedOlderThan(cfg.retentionDays),
      () => recorder,
    );
  }

  /** Deliveries deleted, or undefined when another instance holds the lock (or it failed). */
  @Cron('37 3 * * *', { name: 'webhook-delivery-purge', timeZone: 'UTC' })
  run(): Promise<number | undefined> {
    return this.job.run();
  }
}
