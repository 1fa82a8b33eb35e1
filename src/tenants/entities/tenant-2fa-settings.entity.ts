import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One row per tenant, created disabled with the defaults of API.md. Read fresh at each login. */
@Entity({ name: 'tenant_2fa_settings' })
export class TenantTwoFactorSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ name: 'channel_id', type: 'uuid', nullable: true })
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

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
