import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditConfig } from '../../config/app-config';
import { ADVISORY_LOCKS, ifAdvisoryLockFree } from '../database/advisory-lock';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

/**
 * Deletes finished deliveries (delivered or failed) older than AUDIT_RETENTION_DAYS, the life of
 * the events they carried; daily, on one instance at a time. Pending ones stay.
 */
@Injectable()
export class WebhookDeliveryPurgeJob {
  private readonly logger = new Logger('WebhookDeliveryPurge');

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(auditConfig.KEY) private readonly cfg: ConfigType<typeof auditConfig>,
  ) {}

  @Cron('37 3 * * *', { name: 'webhook-delivery-purge', timeZone: 'UTC' })
  async run(): Promise<number | undefined> {
    try {
      const deleted = await ifAdvisoryLockFree(
        this.dataSource,
        ADVISORY_LOCKS.webhookDeliveryPurge,
        () => this.deliveries.purgeFinishedOlderThan(this.cfg.retentionDays),
      );
      if (deleted) this.logger.log(`deleted ${deleted} webhook deliveries past retention`);
      return deleted;
    } catch (err) {
      this.logger.error({ err }, 'webhook delivery purge failed');
      return undefined;
    }
  }
}
