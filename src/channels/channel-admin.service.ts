import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { mailConfig, runtimeConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException, FieldError } from '../common/errors/app.exception';
import { RequestMeta } from '../common/http/request-context';
import { flattenValidationErrors, VALIDATION_OPTIONS } from '../common/validation/validation';
import { requireTenant } from '../database/query-guards';
import { ChannelSecrets } from './channel-secrets';
import { ChannelsRepository } from './channels.repository';
import {
  ChannelListResponseDto,
  ChannelResponseDto,
  CreateChannelDto,
  UpdateChannelDto,
} from './dto/channel.dto';
import { Channel, ChannelConfig } from './entities/channel.entity';
import { ChannelProvider } from './providers/channel-provider';
import { ChannelProviderRegistry } from './providers/channel-provider.registry';
import { copyChanges } from '../common/changed-fields';

/**
 * The tenant admin's channel API: create, change and delete channels, each change checked by its
 * provider and audited in the same transaction. Secrets are write-only: views say `passwordSet`.
 */
@Injectable()
export class ChannelAdminService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly secrets: ChannelSecrets,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: ChannelProviderRegistry,
    private readonly audit: AuditService,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
  ) {}

  async list(tenantId: string): Promise<ChannelListResponseDto> {
    return { items: (await this.channels.list(tenantId)).map((c) => this.toView(c)) };
  }

  async get(tenantId: string, id: string): Promise<ChannelResponseDto> {
    return this.toView(await this.channels.findOrFail(tenantId, id));
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
      const id = await this.channels.insert(
        {
          tenantId,
          type: provider.type,
          name: dto.name,
          enabled: dto.enabled ?? true,
          active: false,
          config,
        },
        m,
      );
      await this.channels.update(tenantId, id, { secrets: this.secrets.seal(id, secrets) }, m);
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.CHANNEL_CHANGED,
          ...auditedBy(meta),
          data: { channelId: id, action: 'created', type: provider.type, name: dto.name },
        },
        m,
      );
      return this.toView(await this.channels.findOrFail(tenantId, id, m));
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
      const current = await this.channels.findOrFail(tenantId, id, m, true);
      const provider = this.registry.get(current.type);
      if (dto.enabled === false && current.active)
        throw AppException.conflict(
          'The active channel cannot be disabled: point the 2FA settings at another channel first.',
        );
      const patch: Partial<Channel> = {};
      const changes: string[] = copyChanges(current, dto, ['name', 'enabled'], patch);
      if (dto.config !== undefined) {
        const stored = this.secrets.open(current);
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
        patch.secrets = this.secrets.seal(id, secrets);
      }
      if (changes.length) {
        await this.channels.update(tenantId, id, patch, m);
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
      return this.toView(await this.channels.findOrFail(tenantId, id, m));
    });
  }

  async remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.transaction(async (m) => {
      const current = await this.channels.findOrFail(tenantId, id, m, true);
      if (current.active)
        throw AppException.conflict(
          'The active channel cannot be deleted: point the 2FA settings at another channel first.',
        );
      await this.channels.delete(tenantId, id, m);
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

  private toView(row: Channel): ChannelResponseDto {
    const provider = this.registry.find(row.type);
    const secrets = this.secrets.open(row);
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
}
