import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { runtimeConfig, webhooksConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, auditedBy } from '../audit/audit.service';
import { resealColumn } from '../common/crypto/reseal';
import { SecretBox } from '../common/crypto/secret-box';
import { AppException } from '../common/errors/app.exception';
import { decodeCursor, encodeCursor, Page } from '../common/http/pagination';
import { RequestMeta } from '../common/http/request-context';
import { requireTenant } from '../database/query-guards';
import {
  CreateWebhookDto,
  ListDeliveriesQueryDto,
  UpdateWebhookDto,
  WebhookDeliveryResponseDto,
  WebhookListResponseDto,
  WebhookResponseDto,
  WebhookWithSecretResponseDto,
} from './dto/webhook.dto';
import { Webhook } from './entities/webhook.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { checkWebhookUrl, hostOf } from './webhook-url';

/** `whsec_` + base64 of 32 random bytes (the Standard Webhooks secret format). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export const webhookSecretContext = (id: string) => `webhook:${id}`;

/**
 * Webhooks per tenant. Every subscribed event costs one delivery row per webhook inside the
 * event's own transaction (a login's, too): the cap keeps that bounded.
 */
export const MAX_WEBHOOKS_PER_TENANT = 20;

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    @Inject(webhooksConfig.KEY) private readonly cfg: ConfigType<typeof webhooksConfig>,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
  ) {}

  async create(
    tenantId: string,
    dto: CreateWebhookDto,
    meta: RequestMeta,
  ): Promise<WebhookWithSecretResponseDto> {
    requireTenant(tenantId);
    const url = this.checkedUrl(dto.url);
    const events = checkedEvents(dto.events);
    const id = randomUUID();
    const secret = newWebhookSecret();
    return this.dataSource.transaction(async (m) => {
      // Creations of one tenant take turns, so the count below holds until the commit.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks:' || $1))`, [tenantId]);
      if ((await m.getRepository(Webhook).countBy({ tenantId })) >= MAX_WEBHOOKS_PER_TENANT)
        throw AppException.conflict(
          `A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks: delete one first.`,
        );
      const enabled = dto.enabled ?? true;
      await m.getRepository(Webhook).insert({
        id,
        tenantId,
        url,
        events,
        enabled,
        secret: this.box.seal(secret, webhookSecretContext(id)),
      });
      await this.record(m, tenantId, meta, { id, url, events, enabled }, 'created');
      return { ...this.toView(await this.findOrFail(tenantId, id, m)), secret };
    });
  }

  async list(tenantId: string): Promise<WebhookListResponseDto> {
    requireTenant(tenantId);
    const rows = await this.webhooks.find({
      where: { tenantId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return { items: rows.map((w) => this.toView(w)) };
  }

  async get(tenantId: string, id: string): Promise<WebhookResponseDto> {
    return this.toView(await this.findOrFail(tenantId, id));
  }

  async update(
    tenantId: string,
    id: string,
    dto: UpdateWebhookDto,
    meta: RequestMeta,
  ): Promise<WebhookResponseDto> {
    requireTenant(tenantId);
    const url = dto.url === undefined ? undefined : this.checkedUrl(dto.url);
    const events = dto.events === undefined ? undefined : checkedEvents(dto.events);
    return this.dataSource.transaction(async (m) => {
      const current = await this.findOrFail(tenantId, id, m, true);
      const patch: Partial<Webhook> = {};
      const changes: string[] = [];
      if (url !== undefined && url !== current.url) {
        patch.url = url;
        changes.push('url');
      }
      if (events !== undefined && events.join() !== current.events.join()) {
        patch.events = events;
        changes.push('events');
      }
      if (dto.enabled !== undefined && dto.enabled !== current.enabled) {
        patch.enabled = dto.enabled;
        patch.disabledReason = null;
        changes.push('enabled');
      }
      if (changes.length) {
        await m.getRepository(Webhook).update({ tenantId, id }, patch);
        await this.record(m, tenantId, meta, { ...current, ...patch }, 'updated', changes);
      }
      return this.toView(await this.findOrFail(tenantId, id, m));
    });
  }

  async remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.transaction(async (m) => {
      const current = await this.findOrFail(tenantId, id, m, true);
      await m.getRepository(Webhook).delete({ tenantId, id });
      await this.record(m, tenantId, meta, current, 'deleted');
    });
  }

  /** A new secret, shown once; deliveries signed from now on use it (pending ones included). */
  async rotateSecret(
    tenantId: string,
    id: string,
    meta: RequestMeta,
  ): Promise<WebhookWithSecretResponseDto> {
    requireTenant(tenantId);
    const secret = newWebhookSecret();
    return this.dataSource.transaction(async (m) => {
      const current = await this.findOrFail(tenantId, id, m, true);
      await m
        .getRepository(Webhook)
        .update(
          { tenantId, id },
          { secret: this.box.seal(secret, webhookSecretContext(id)), updatedAt: new Date() },
        );
      await this.record(m, tenantId, meta, current, 'secret_rotated');
      return { ...this.toView(await this.findOrFail(tenantId, id, m)), secret };
    });
  }

  async listDeliveries(
    tenantId: string,
    webhookId: string,
    query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    await this.findOrFail(tenantId, webhookId);
    const limit = query.limit ?? 50;
    const beforeSeq = decodeCursor(query.cursor, 'webhook-deliveries', /^\d{1,19}$/);
    const page = await this.deliveries.list(tenantId, webhookId, {
      limit,
      beforeSeq,
      status: query.status,
    });
    return {
      items: page.items,
      nextCursor:
        page.more && page.lastSeq ? encodeCursor('webhook-deliveries', page.lastSeq) : null,
    };
  }

  /** Due again now (202); a disabled webhook delivers nothing (409). */
  async retryDelivery(
    tenantId: string,
    webhookId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto> {
    const webhook = await this.findOrFail(tenantId, webhookId);
    if (!webhook.enabled)
      throw AppException.conflict('The webhook is disabled: enable it before retrying.');
    const delivery = await this.deliveries.requeue(tenantId, webhookId, deliveryId);
    if (!delivery) throw AppException.notFound('No such delivery.');
    return delivery;
  }

  /** After a DATA_ENCRYPTION_KEY rotation: webhook secrets sealed with an older key, re-sealed. */
  resealSecrets(): Promise<number> {
    return resealColumn<{ id: string; secret: string }>(this.dataSource, this.box, {
      table: 'webhooks',
      keys: ['id'],
      column: 'secret',
      context: (r) => webhookSecretContext(r.id),
    });
  }

  private checkedUrl(raw: string): string {
    const checked = checkWebhookUrl(raw, {
      production: this.runtime.production,
      allowedHosts: this.cfg.allowedHosts,
    });
    if ('errors' in checked) throw AppException.validation(checked.errors);
    return checked.url;
  }

  /** WEBHOOK_CHANGED: what changed, never the secret nor the URL's path or query (they may hold one). */
  private record(
    m: EntityManager,
    tenantId: string,
    meta: RequestMeta,
    w: Pick<Webhook, 'id' | 'url' | 'events' | 'enabled'>,
    action: 'created' | 'updated' | 'deleted' | 'secret_rotated',
    changes?: string[],
  ): Promise<void> {
    return this.audit.record(
      tenantId,
      {
        type: AuditEventType.WEBHOOK_CHANGED,
        ...auditedBy(meta),
        data: {
          webhookId: w.id,
          action,
          host: hostOf(new URL(w.url)),
          events: w.events,
          enabled: w.enabled,
          ...(changes ? { changes } : {}),
        },
      },
      m,
    );
  }

  private async findOrFail(
    tenantId: string,
    id: string,
    m?: EntityManager,
    lock = false,
  ): Promise<Webhook> {
    requireTenant(tenantId);
    const row = await (m ?? this.dataSource.manager).getRepository(Webhook).findOne({
      where: { tenantId, id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw AppException.notFound('No such webhook.');
    return row;
  }

  private toView(w: Webhook): WebhookResponseDto {
    return {
      id: w.id,
      url: w.url,
      events: w.events,
      enabled: w.enabled,
      disabledReason: w.disabledReason,
      createdAt: w.createdAt.toISOString(),
      updatedAt: w.updatedAt.toISOString(),
    };
  }
}

/** `*` stands alone: it already means every type. */
function checkedEvents(events: string[]): string[] {
  if (events.includes('*') && events.length > 1)
    throw AppException.validation([
      { field: 'events', message: 'events must be ["*"] or a list of audit event types' },
    ]);
  return events;
}
