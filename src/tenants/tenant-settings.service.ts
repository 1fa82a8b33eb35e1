import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { ChannelsService } from '../channels/channels.service';
import { SessionsService } from '../sessions/sessions.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { requireTenant } from '../database/query-guards';
import {
  LOCKOUT_DEFAULTS,
  OTP_DEFAULTS,
  PutTwoFactorSettingsDto,
  REMEMBER_DEVICE_DEFAULTS,
  TwoFactorSettingsResponseDto,
} from './dto/two-factor-settings.dto';
import { TenantTwoFactorSettings } from './entities/tenant-2fa-settings.entity';

/** The tenant's 2FA settings as login reads them (always fresh: no cache). */
export interface TwoFactorSettings {
  enabled: boolean;
  channelId: string | null;
  otp: {
    length: number;
    ttlSeconds: number;
    resendCooldownSeconds: number;
    maxAttempts: number;
    maxResendsPerLogin: number;
  };
  lockout: { maxConsecutiveFailures: number; durationSeconds: number };
  recoveryCodes: { enabled: boolean };
  rememberDevice: { enabled: boolean; days: number };
  updatedAt: Date;
}

function fromRow(r: TenantTwoFactorSettings): TwoFactorSettings {
  return {
    enabled: r.enabled,
    channelId: r.channelId,
    otp: {
      length: r.otpLength,
      ttlSeconds: r.otpTtlSeconds,
      resendCooldownSeconds: r.resendCooldownSeconds,
      maxAttempts: r.maxAttempts,
      maxResendsPerLogin: r.maxResendsPerLogin,
    },
    lockout: {
      maxConsecutiveFailures: r.lockoutMaxConsecutiveFailures,
      durationSeconds: r.lockoutDurationSeconds,
    },
    recoveryCodes: { enabled: r.recoveryCodesEnabled },
    rememberDevice: { enabled: r.rememberDeviceEnabled, days: r.rememberDeviceDays },
    updatedAt: r.updatedAt,
  };
}

@Injectable()
export class TenantSettingsService {
  constructor(
    @InjectRepository(TenantTwoFactorSettings)
    private readonly settings: Repository<TenantTwoFactorSettings>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  /** Read at every login, on every instance: a change holds for the very next login. */
  async get(tenantId: string): Promise<TwoFactorSettings> {
    requireTenant(tenantId);
    return fromRow(await this.settings.findOneByOrFail({ tenantId }));
  }

  async view(tenantId: string): Promise<TwoFactorSettingsResponseDto> {
    const s = await this.get(tenantId);
    const channelType = s.channelId ? await this.channels.typeOf(tenantId, s.channelId) : null;
    return { ...s, channelType, updatedAt: s.updatedAt.toISOString() };
  }

  /** Replaces the settings: omitted fields take their defaults. Activates the named channel. */
  async put(
    tenantId: string,
    dto: PutTwoFactorSettingsDto,
    meta: RequestMeta,
  ): Promise<TwoFactorSettingsResponseDto> {
    requireTenant(tenantId);
    const channelId = dto.channelId ?? null;
    if (dto.enabled && !channelId) throw new AppException(ErrorCode.TWO_FACTOR_CHANNEL_REQUIRED);
    await this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(TenantTwoFactorSettings);
      const before = await repo.findOne({
        where: { tenantId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!before) throw AppException.notFound('No such tenant.');
      if (channelId) await this.channels.assertEnabled(tenantId, channelId, m);
      await this.channels.activate(tenantId, channelId, m);
      const next = {
        enabled: dto.enabled,
        channelId,
        otpLength: dto.otp?.length ?? OTP_DEFAULTS.length,
        otpTtlSeconds: dto.otp?.ttlSeconds ?? OTP_DEFAULTS.ttlSeconds,
        resendCooldownSeconds: dto.otp?.resendCooldownSeconds ?? OTP_DEFAULTS.resendCooldownSeconds,
        maxAttempts: dto.otp?.maxAttempts ?? OTP_DEFAULTS.maxAttempts,
        maxResendsPerLogin: dto.otp?.maxResendsPerLogin ?? OTP_DEFAULTS.maxResendsPerLogin,
        lockoutMaxConsecutiveFailures:
          dto.lockout?.maxConsecutiveFailures ?? LOCKOUT_DEFAULTS.maxConsecutiveFailures,
        lockoutDurationSeconds: dto.lockout?.durationSeconds ?? LOCKOUT_DEFAULTS.durationSeconds,
        recoveryCodesEnabled: dto.recoveryCodes?.enabled ?? true,
        rememberDeviceEnabled: dto.rememberDevice?.enabled ?? REMEMBER_DEVICE_DEFAULTS.enabled,
        rememberDeviceDays: dto.rememberDevice?.days ?? REMEMBER_DEVICE_DEFAULTS.days,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [key, to] of Object.entries(next)) {
        const from = before[key as keyof typeof next];
        if (from !== to) changes[key] = { from, to };
      }
      await repo.update({ tenantId }, { ...next, updatedAt: new Date() });
      await this.audit.record(
        tenantId,
        { type: AuditEventType.SETTINGS_CHANGED, ...auditedBy(meta), data: { changes } },
        m,
      );
      // 2FA turned on: sessions signed in with the password alone end with the change (v1.1 §3).
      if (next.enabled && !before.enabled)
        await this.sessions.revokePasswordOnly(tenantId, auditedBy(meta), m);
    });
    return this.view(tenantId);
  }
}
