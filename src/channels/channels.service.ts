import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { MetricsService } from '../observability/metrics.service';
import { ChannelRow } from './channel.row';
import { ChannelSecrets } from './channel-secrets';
import { ChannelsRepository } from './channels.repository';
import { Channel, ChannelConfig } from './entities/channel.entity';
import {
  ChannelProvider,
  CodeChannelProvider,
  CodeMessage,
  ResolvedChannel,
} from './providers/channel-provider';
import { ChannelProviderRegistry } from './providers/channel-provider.registry';

/** A channel with its provider, ready to deliver or verify. */
export interface UsableChannel {
  channel: ResolvedChannel;
  provider: ChannelProvider;
}

/**
 * Channels at run time, for the other modules: which channel a tenant or a sign-in uses, with its
 * secrets opened and its provider, and the delivery of a code through it. The admin API is
 * ChannelAdminService; secrets at rest are ChannelSecrets.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly secrets: ChannelSecrets,
    private readonly registry: ChannelProviderRegistry,
    private readonly metrics: MetricsService,
  ) {}

  /** For the 2FA settings: 422 unless `id` is an enabled channel of this tenant. */
  async assertEnabled(tenantId: string, id: string, m: EntityManager): Promise<Channel> {
    // Locked: a concurrent disable or delete of this channel waits for the activation.
    const channel = await this.channels.lockedInTransaction(tenantId, id, m);
    if (!channel || !channel.enabled || !this.registry.find(channel.type))
      throw new AppException(ErrorCode.TWO_FACTOR_CHANNEL_REQUIRED);
    return channel;
  }

  /** Makes `id` the tenant's one active channel (none for null), in the caller's transaction. */
  activate(tenantId: string, id: string | null, m: EntityManager): Promise<void> {
    return this.channels.activate(tenantId, id, m);
  }

  /** A channel with its secrets opened and its provider: for delivery and verification. */
  async resolve(tenantId: string, id: string): Promise<UsableChannel> {
    return this.usable(await this.channels.findOrFail(tenantId, id));
  }

  /**
   * An enabled channel of `type` (the oldest), or null: the way to a factor the user already has
   * while another type is active (API.md v1.1 §4).
   */
  async enabledOfType(tenantId: string, type: string): Promise<UsableChannel | null> {
    const row = await this.channels.firstEnabledOfType(tenantId, type);
    return row ? this.usable(row) : null;
  }

  /** The type of one channel of the tenant (404 when it has no such channel). */
  async typeOf(tenantId: string, id: string): Promise<string> {
    return (await this.channels.findOrFail(tenantId, id)).type;
  }

  /** The type of the tenant's active channel (the one its 2FA settings name), or null. */
  activeType(tenantId: string): Promise<string | null> {
    return this.channels.activeType(tenantId);
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
    return this.usable({
      id: r.ch_id,
      tenantId: r.ch_tenant_id,
      type: r.ch_type,
      name: r.ch_name,
      enabled: r.ch_enabled,
      config: r.ch_config as ChannelConfig,
      secrets: r.ch_secrets,
      updatedAt: r.ch_updated_at,
    });
  }

  /** After a DATA_ENCRYPTION_KEY rotation: channel secrets sealed with an older key, re-sealed. */
  resealSecrets(): Promise<number> {
    return this.secrets.resealAll();
  }

  private usable(
    row: Pick<
      Channel,
      'id' | 'tenantId' | 'type' | 'name' | 'enabled' | 'config' | 'secrets' | 'updatedAt'
    >,
  ): UsableChannel {
    const channel: ResolvedChannel = {
      id: row.id,
      tenantId: row.tenantId,
      type: row.type,
      name: row.name,
      enabled: row.enabled,
      config: row.config,
      secrets: this.secrets.open(row),
      version: row.updatedAt.toISOString(),
    };
    return { channel, provider: this.registry.get(row.type) };
  }
}
