import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** The OTP settings in force when the sign-in began: the rest of the sign-in follows them. */
export interface OtpPolicy {
  length: number;
  ttlSeconds: number;
  resendCooldownSeconds: number;
  maxAttempts: number;
  maxResendsPerLogin: number;
  lockoutMaxConsecutiveFailures: number;
  lockoutDurationSeconds: number;
}

/** One sign-in between password and code: the mfa token's jti is its id. */
@Entity({ name: 'mfa_sessions' })
@Check('mfa_sessions_purpose_check', `purpose IN ('login', 'register')`)
@Index('mfa_sessions_expires_at_idx', ['expiresAt'])
export class MfaSession {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey('Tenant', { name: 'mfa_sessions_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('User', { name: 'mfa_sessions_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string;

  /** register: the user has no registration for the channel type yet. */
  @Column({ type: 'varchar', length: 16 })
  purpose!: 'login' | 'register';

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @Column({ name: 'channel_type', type: 'varchar', length: 32 })
  channelType!: string;

  @Column({ name: 'password_version', type: 'integer' })
  passwordVersion!: number;

  @Column({ name: 'two_factor_version', type: 'integer' })
  twoFactorVersion!: number;

  @Column({ type: 'jsonb' })
  policy!: OtpPolicy;

  /** Codes delivered in this sign-in: the first is free, the rest count against the resend cap. */
  @Column({ name: 'codes_sent', type: 'integer', default: 0 })
  codesSent!: number;

  /** Wrong codes of an app-based channel in this sign-in (maxAttempts). */
  @Column({ name: 'wrong_tries', type: 'integer', default: 0 })
  wrongTries!: number;

  /** App-based registration: the sealed secret offered, until the first valid code confirms it. */
  @Column({ name: 'pending_secret', type: 'text', nullable: true, select: false })
  pendingSecret!: string | null;

  @Column({ name: 'pending_params', type: 'jsonb', nullable: true })
  pendingParams!: Record<string, string | number> | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'spent_at', type: 'timestamptz', nullable: true })
  spentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
