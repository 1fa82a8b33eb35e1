import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { AuditEventType } from '../../audit/audit-event-type';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { Optional } from '../../common/validation/field-decorators';

/** What a webhook may subscribe to: audit event types, or `*` (alone) for all of them. */
export const WEBHOOK_EVENT_CHOICES: readonly string[] = ['*', ...Object.values(AuditEventType)];

export class CreateWebhookDto {
  /** Where events are POSTed: `https://…` (production requires https unless WEBHOOK_ALLOWED_HOSTS lists the host). */
  @MaxLength(2048)
  @IsString()
  url!: string;

  /** Audit event types, or `["*"]` for all. */
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_CHOICES })
  @IsIn(WEBHOOK_EVENT_CHOICES, {
    each: true,
    message: 'each event must be an audit event type or *',
  })
  @ArrayUnique()
  @ArrayMaxSize(64)
  @ArrayNotEmpty()
  @IsArray()
  events!: string[];

  /** Default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto {
  @Optional()
  @MaxLength(2048)
  @IsString()
  url?: string;

  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_CHOICES, required: false })
  @Optional()
  @IsIn(WEBHOOK_EVENT_CHOICES, {
    each: true,
    message: 'each event must be an audit event type or *',
  })
  @ArrayUnique()
  @ArrayMaxSize(64)
  @ArrayNotEmpty()
  @IsArray()
  events?: string[];

  /** Enabling clears `disabledReason`. */
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}

export class ListDeliveriesQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: 'pending' | 'delivered' | 'failed';
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_CHOICES }) events!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['gone'],
    description: 'why the service disabled it (gone: the receiver answered 410)',
  })
  disabledReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookWithSecretResponseDto extends WebhookResponseDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'the signing secret (Standard Webhooks), shown only here',
  })
  secret!: string;
}

export class WebhookListResponseDto {
  @ApiProperty({ type: [WebhookResponseDto] }) items!: WebhookResponseDto[];
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'the audit event, and the webhook-id header' })
  eventId!: string;
  @ApiProperty({ enum: AuditEventType }) eventType!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'http_<status> | timeout | connection_refused | connection_reset | dns_failed | tls_error | host_refused (production: an internal address) | webhook_disabled | event_not_found | …',
  })
  lastError!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  deliveredAt!: string | null;
}

export class WebhookDeliveryPageResponseDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto] }) items!: WebhookDeliveryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
