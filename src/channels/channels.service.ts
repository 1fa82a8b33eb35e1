import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { mailConfig, runtimeConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { SecretBox } from '../common/crypto/secret-box';
import { AppException, FieldError } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { flattenValidationErrors, VALIDATION_OPTIONS } from '../common/validation/validation';
import { requireTenant } from '../database/query-guards';
import { MetricsService } from '../observability/metrics.service';
import {
  ChannelListResponseDto,
  ChannelResponseDto,
  CreateChannelDto,
  UpdateChannelDto,
} from './dto/channel.dto';
import { ChannelRow } from './channel.row';
import { Channel, ChannelConfig } from './entities/channel.entity';
import {
  ChannelProvider,
  CodeChannelProvider,
  CodeMessage,
  ResolvedChannel,
} from './providers/channel-provider';
import { ChannelProviderRegistry } from './providers/channel-provider.registry';
import { resealColumn } from '../common/crypto/reseal';

/** A channel with its provider, ready to deliver or verify. */
export interface UsableChannel {
  channel: ResolvedChannel;
  provider: ChannelProvider;
}

@Injectable()
export class ChannelsService {
  constructor(
    @InjectRepository(Channel) private readonly channels: Repository<Channel>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ChannelProviderRegistry,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
    private readonly metrics: MetricsService,
  ) {}

  async list(tenantId: string): Promise<ChannelListResponseDto> {
    requireTenant(tenantId);
    const rows = await this.channels.find({
      where: { tenantId },
      order: { createdAt: 'ASC', id: 'ASC' },
      select: { secrets: true, ...SELECT_ALL },
    });
    return { items: rows.map((c) => this.toView(c)) };
  }

  async get(tenantId: string, id: string): Promise<ChannelResponseDto> {
    return this.toView(await this.findOrFail(tenantId, id));
  }

  async create(
    tenantId: string,
    dto: CreateChannelDto,
    meta: RequestMeta,
  ): Promise<ChannelResponseDto> {
    requireTenant(tenantId);
    const provider = this.registry.find(dto.type);
    if (!provider)
      throw AppException.validation([
        { field: 'type', message: `type must be one of: ${this.registry.types().join(', ')}` },
      ]);
    const { config, secrets } = await this.checkedConfig(
      provider,
      provider.normalizeConfig(dto.config),
    );
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(Channel);
      const id = (
        await repo.insert({
          tenantId,
          type: provider.type,
          name: dto.name,
          enabled: dto.enabled ?? true,
          active: false,
          config,
        })
      ).identifiers[0].id as string;
      await repo.update({ id }, { secrets: this.seal(id, secrets) });
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.CHANNEL_CHANGED,
          ...auditedBy(meta),
          data: { channelId: id, action: 'created', type: provider.type, name: dto.name },
        },
        m,
      );
      return this.toView(await this.findOrFail(tenantId, id, m));
    });
  }

  async update(
    tenantId: string,
    id: string,
    dto: UpdateChannelDto,
    meta: RequestMeta,
  ): Promise<ChannelResponseDto> {
    requireTenant(tenantId);
    return this.dataSource.transaction(async (m) => {
      const current = await this.findOrFail(tenantId, id, m, true);
      const provider = this.registry.get(current.type);
      if (dto.enabled === false && current.active)
        throw AppException.conflict(
          'The active channel cannot be disabled: point the 2FA settings at another channel first.',
        );
      const changes: string[] = [];
      const patch: Partial<Channel> = {};
      if (dto.name !== undefined && dto.name !== current.name) {
        patch.name = dto.name;
        changes.push('name');
      }
      if (dto.enabled !== undefined && dto.enabled !== current.enabled) {
        patch.enabled = dto.enabled;
        changes.push('enabled');
      }
      if (dto.config !== undefined) {
        const stored = this.open(current);
        const before = provider.normalizeConfig({ ...current.config });
        const merged: Record<string, unknown> = { ...before, ...stored };
        for (const [key, value] of Object.entries(provider.normalizeConfig(dto.config, true))) {
          if (value === null) delete merged[key];
          else merged[key] = value;
          changes.push(`config.${key}`);
        }
        this.assertSecretsResent(provider, before, merged, stored, dto.config);
        const { config, secrets } = await this.checkedConfig(provider, merged);
        patch.config = config;
        patch.secrets = this.seal(id, secrets);
      }
      if (changes.length) {
        await m.getRepository(Channel).update({ tenantId, id }, patch);
        await this.audit.record(
          tenantId,
          {
            type: AuditEventType.CHANNEL_CHANGED,
            ...auditedBy(meta),
            data: { channelId: id, action: 'updated', changes },
          },
          m,
        );
      }
      return this.toView(await this.findOrFail(tenantId, id, m));
    });
  }

  async remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.transaction(async (m) => {
      const current = await this.findOrFail(tenantId, id, m, true);
      if (current.active)
        throw AppException.conflict(
          'The active channel cannot be deleted: point the 2FA settings at another channel first.',
        );
      await m.getRepository(Channel).delete({ tenantId, id });
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.CHANNEL_CHANGED,
          ...auditedBy(meta),
          data: { channelId: id, action: 'deleted', type: current.type, name: current.name },
        },
        m,
      );
    });
  }

  /** For the 2FA settings: 422 unless `id` is an enabled channel of this tenant. */
  async assertEnabled(tenantId: string, id: string, m: EntityManager): Promise<Channel> {
    // Locked: a concurrent disable or delete of this channel waits for the activation.
    const channel = await m
      .getRepository(Channel)
      .findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!channel || !channel.enabled || !this.registry.find(channel.type))
      throw new AppException(ErrorCode.TWO_FACTOR_CHANNEL_REQUIRED);
    return channel;
  }

  /** Makes `id` the tenant's one active channel (none for null), in the caller's transaction. */
  async activate(tenantId: string, id: string | null, m: EntityManager): Promise<void> {
    requireTenant(tenantId);
    await m.query(
      'UPDATE channels SET active = false WHERE tenant_id = $1 AND active AND id IS DISTINCT FROM $2',
      [tenantId, id],
    );
    if (id)
      await m.query('UPDATE channels SET active = true WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        id,
      ]);
  }

  /** A channel with its secrets opened and its provider: for delivery and verification. */
  async resolve(tenantId: string, id: string): Promise<UsableChannel> {
    const row = await this.findOrFail(tenantId, id);
    return { channel: this.resolved(row), provider: this.registry.get(row.type) };
  }

  /**
   * An enabled channel of `type` (the oldest), or null: the way to a factor the user already has
   * while another type is active (API.md v1.1 §4).
   */
  async enabledOfType(tenantId: string, type: string): Promise<UsableChannel | null> {
    requireTenant(tenantId);
    const row = await this.channels.findOne({
      where: { tenantId, type, enabled: true },
      select: { secrets: true, ...SELECT_ALL },
      order: { createdAt: 'ASC' },
    });
    return row ? { channel: this.resolved(row), provider: this.registry.get(row.type) } : null;
  }

  /** The type of the tenant's active channel (the one its 2FA settings name), or null. */
  async activeType(tenantId: string): Promise<string | null> {
    requireTenant(tenantId);
    const row = await this.channels.findOne({
      where: { tenantId, active: true },
      select: { type: true },
    });
    return row?.type ?? null;
  }

  /**
   * The channel a sign-in began with. Deleted or disabled since (an admin switched channels), the
   * sign-in is over: 401, as for any other change that ends it.
   */
  async resolveForSignIn(tenantId: string, id: string): Promise<UsableChannel> {
    try {
      const usable = await this.resolve(tenantId, id);
      if (usable.channel.enabled) return usable;
    } catch (e) {
      if (!(e instanceof AppException && e.code === ErrorCode.NOT_FOUND)) throw e;
    }
    throw new AppException(ErrorCode.UNAUTHENTICATED);
  }

  provider(type: string): ChannelProvider {
    return this.registry.get(type);
  }

  /** Channel types whose registrations hold email addresses (their providers say so). */
  emailTypes(): string[] {
    return this.registry.types().filter((t) => this.registry.get(t).destinationIsEmail);
  }

  /** The provider of `type`, or undefined when no registered provider handles it. */
  findProvider(type: string): ChannelProvider | undefined {
    return this.registry.find(type);
  }

  /** Hands a code to the channel, timed by channel type and result (efcx_otp_delivery_seconds). */
  async deliver(usable: UsableChannel, message: CodeMessage): Promise<void> {
    const started = performance.now();
    let result: 'sent' | 'failed' = 'failed';
    try {
      await (usable.provider as CodeChannelProvider).deliver(usable.channel, message);
      result = 'sent';
    } finally {
      this.metrics.delivered(usable.channel.type, result, (performance.now() - started) / 1000);
    }
  }

  /** The channel of a caller's statement (columns of channel.row), or null when it had none. */
  usableFromRow(r: ChannelRow): UsableChannel | null {
    if (!r.ch_id) return null;
    const row = {
      id: r.ch_id,
      tenantId: r.ch_tenant_id,
      type: r.ch_type,
      name: r.ch_name,
      enabled: r.ch_enabled,
      config: r.ch_config,
      secrets: r.ch_secrets,
      updatedAt: r.ch_updated_at,
    } as Channel;
    return { channel: this.resolved(row), provider: this.registry.get(row.type) };
  }

  private resolved(row: Channel): ResolvedChannel {
    return {
      id: row.id,
      tenantId: row.tenantId,
      type: row.type,
      name: row.name,
      enabled: row.enabled,
      config: row.config,
      secrets: this.open(row),
      version: row.updatedAt.toISOString(),
    };
  }

  private async checkedConfig(
    provider: ChannelProvider,
    raw: Record<string, unknown>,
  ): Promise<{ config: ChannelConfig; secrets: Record<string, string> }> {
    const instance = plainToInstance(provider.configDto, raw);
    const errors = await validate(instance, VALIDATION_OPTIONS);
    const problems: FieldError[] = flattenValidationErrors(errors, 'config');
    if (problems.length === 0)
      problems.push(
        ...provider.checkConfig(raw, {
          production: this.runtime.production,
          allowedHosts: this.mail.channelAllowedHosts,
          plaintextHosts: this.mail.channelPlaintextHosts,
        }),
      );
    if (problems.length) throw AppException.validation(problems);
    const config: ChannelConfig = {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (value === undefined || value === null) continue;
      if (provider.secretFields.includes(key)) secrets[key] = String(value);
      else config[key] = value as string | number | boolean;
    }
    return { config, secrets };
  }

  /**
   * A PATCH that moves a channel with stored secrets (email: host, port, username, tls) must send
   * them again: else an admin could point the channel at their own server and have /test hand
   * it the stored password.
   */
  private assertSecretsResent(
    provider: ChannelProvider,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    stored: Record<string, string>,
    patch: Record<string, unknown>,
  ): void {
    const moved = provider.secretBoundFields.some((f) => before[f] !== after[f]);
    if (!moved) return;
    const missing = provider.secretFields.filter((f) => stored[f] && patch[f] === undefined);
    if (missing.length)
      throw AppException.validation(
        missing.map((f) => ({
          field: `config.${f}`,
          message: `config.${f} must be sent again when ${provider.secretBoundFields.join(', ')} change`,
        })),
      );
  }

  /** After a DATA_ENCRYPTION_KEY rotation: channel secrets sealed with an older key, re-sealed. */
  resealSecrets(): Promise<number> {
    return resealColumn<{ id: string; secrets: string }>(this.dataSource, this.box, {
      table: 'channels',
      keys: ['id'],
      column: 'secrets',
      context: (r) => `channel:${r.id}`,
    });
  }

  private seal(id: string, secrets: Record<string, string>): string | null {
    return Object.keys(secrets).length
      ? this.box.seal(JSON.stringify(secrets), `channel:${id}`)
      : null;
  }

  private open(row: Channel): Record<string, string> {
    return row.secrets
      ? (JSON.parse(this.box.open(row.secrets, `channel:${row.id}`)) as Record<string, string>)
      : {};
  }

  private toView(row: Channel): ChannelResponseDto {
    const provider = this.registry.find(row.type);
    const secrets = this.open(row);
    const config: Record<string, unknown> = { ...row.config };
    for (const field of provider?.secretFields ?? [])
      config[`${field}Set`] = Boolean(secrets[field]);
    return {
      id: row.id,
      type: row.type,
      name: row.name,
      enabled: row.enabled,
      active: row.active,
      config,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private async findOrFail(
    tenantId: string,
    id: string,
    m?: EntityManager,
    lock = false,
  ): Promise<Channel> {
    requireTenant(tenantId);
    const repo = m ? m.getRepository(Channel) : this.channels;
    const row = await repo.findOne({
      where: { tenantId, id },
      select: { secrets: true, ...SELECT_ALL },
      ...(lock && m ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw AppException.notFound('No such channel in this tenant.');
    return row;
  }
}

/** `secrets` is select:false (never loaded by accident): ask for every column explicitly. */
const SELECT_ALL = {
  id: true,
  tenantId: true,
  type: true,
  name: true,
  enabled: true,
  active: true,
  config: true,
  createdAt: true,
  updatedAt: true,
} as const;
