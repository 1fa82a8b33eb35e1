import { Body, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import {
  CreateWebhookDto,
  ListDeliveriesQueryDto,
  UpdateWebhookDto,
  WebhookDeliveryPageResponseDto,
  WebhookDeliveryResponseDto,
  WebhookListResponseDto,
  WebhookResponseDto,
  WebhookWithSecretResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@TenantAdminController('webhooks', 'webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiRoute({
    summary:
      'Subscribe a URL to audit events (at most 20 per tenant: 409); the signing secret is shown only in this answer',
    description:
      'Each event is POSTed as `{ "type", "timestamp", "data": <the audit event> }` with the ' +
      'Standard Webhooks headers `webhook-id` (the event id), `webhook-timestamp` and ' +
      '`webhook-signature` (`v1,<base64 HMAC-SHA256>`), at least once: retried with exponential ' +
      'backoff for 24 hours; 2xx ends it, 410 fails it and disables the webhook.',
    created: WebhookWithSecretResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.CONFLICT],
  })
  create(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: CreateWebhookDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.webhooks.create(tenant.id, dto, meta);
  }

  @Get()
  @ApiRoute({ summary: 'List webhooks (no secrets)', ok: WebhookListResponseDto })
  list(@CurrentTenant() tenant: ResolvedTenant) {
    return this.webhooks.list(tenant.id);
  }

  @Get(':id')
  @ApiRoute({
    summary: 'Get a webhook (no secret)',
    ok: WebhookResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  get(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.webhooks.get(tenant.id, id);
  }

  @Patch(':id')
  @ApiRoute({
    summary: 'Change a webhook; enabling it clears disabledReason',
    ok: WebhookResponseDto,
    errors: [...BODY_ERRORS],
  })
  update(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Body() dto: UpdateWebhookDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.webhooks.update(tenant.id, id, dto, meta);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Delete a webhook and its delivery log',
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  async remove(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.webhooks.remove(tenant.id, id, meta);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Replace the signing secret; the new one is shown only in this answer',
    ok: WebhookWithSecretResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  rotateSecret(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ) {
    return this.webhooks.rotateSecret(tenant.id, id, meta);
  }

  @Get(':id/deliveries')
  @ApiRoute({
    summary: "The webhook's deliveries, newest first",
    ok: WebhookDeliveryPageResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  deliveries(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Query() query: ListDeliveriesQueryDto,
  ) {
    return this.webhooks.listDeliveries(tenant.id, id, query);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiRoute({
    summary:
      'Deliver again now (with a fresh 24 hours of retries); 409 while the webhook is disabled',
    accepted: WebhookDeliveryResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT],
  })
  retry(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ) {
    return this.webhooks.retryDelivery(tenant.id, id, deliveryId);
  }
}
