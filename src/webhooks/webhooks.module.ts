import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveryPurgeJob } from './webhook-delivery-purge.job';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookOutbox } from './webhook-outbox';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Audit events to tenants' URLs (API.md v1.1 §12). Depends on audit (to read an event), common,
 * and the global infrastructure (database, metrics); audit does not know it: the deliveries are
 * written by a trigger on audit_events.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook, WebhookDelivery]), AuditModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookDeliveriesRepository,
    WebhookOutbox,
    WebhookDeliveryWorker,
    WebhookDeliveryPurgeJob,
  ],
  exports: [WebhooksService],
})
export class WebhooksModule {}
