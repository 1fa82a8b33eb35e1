import { Check, Column, Entity } from 'typeorm';
import { ReferenceColumn, TenantIdColumn, UpdatedAtColumn } from '../../database/columns';

/** One row per tenant, created disabled with the defaults of API.md. Read fresh at each login. */
@Entity({ name: 'tenant_2fa_settings' })
// The ranges of API.md, enforced by the database too.
@Check('tenant_2fa_settings_otp_length_check', 'otp_length BETWEEN 6 AND 10')
@Check('tenant_2fa_settings_otp_ttl_seconds_check', 'otp_ttl_seconds BETWEEN 30 AND 600')
@Check(
  'tenant_2fa_settings_resend_cooldown_seconds_check',
  'resend_cooldown_seconds BETWEEN 0 AND 3600',
)
@Check('tenant_2fa_settings_max_attempts_check', 'max_attempts BETWEEN 1 AND 20')
@Check('tenant_2fa_settings_max_resends_per_login_check', 'max_resends_per_login BETWEEN 0 AND 20')
@Check('tenant_2fa_settings_lockout_max_failures_check', 'lockout_max_failures BETWEEN 10 AND 100')
@Check(
  'tenant_2fa_settings_lockout_duration_seconds_check',
  'lockout_duration_seconds BETWEEN 60 AND 86400',
)
export class TenantTwoFactorSettings {
  @TenantIdColumn({ primary: true })
  tenantId!: string;

  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @ReferenceColumn('Channel', 'channel_id', { nullable: true, onDelete: 'RESTRICT' })
  channelId!: string | null;

  @Column({ name: 'otp_length', type: 'smallint', default: 6 })
  otpLength!: number;

  @Column({ name: 'otp_ttl_seconds', type: 'integer', default: 300 })
  otpTtlSeconds!: number;

  @Column({ name: 'resend_cooldown_seconds', type: 'integer', default: 60 })
  resendCooldownSeconds!: number;

  @Column({ name: 'max_attempts', type: 'smallint', default: 5 })
  maxAttempts!: number;

  @Column({ name: 'max_resends_per_login', type: 'smallint', default: 5 })
  maxResendsPerLogin!: number;

  @Column({ name: 'lockout_max_failures', type: 'smallint', default: 50 })
  lockoutMaxConsecutiveFailures!: number;

  @Column({ name: 'lockout_duration_seconds', type: 'integer', default: 900 })
  lockoutDurationSeconds!: number;

  /** Recovery codes are handed out at the first registration and accepted (v1.1 §6). */
  @Column({ name: 'recovery_codes_enabled', type: 'boolean', default: true })
  recoveryCodesEnabled!: boolean;

  /** A verify may remember the device for `remember_device_days` (v1.1 §7); checked at every login. */
  @Column({ name: 'remember_device_enabled', type: 'boolean', default: false })
  rememberDeviceEnabled!: boolean;

  @Column({ name: 'remember_device_days', type: 'smallint', default: 30 })
  rememberDeviceDays!: number;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
