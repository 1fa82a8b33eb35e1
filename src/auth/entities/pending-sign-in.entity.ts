import type { OtpPolicy } from '../../otp/otp.types';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../database/columns';
import { UserOwnedEntity } from '../../database/owned-entities';

/** One sign-in between password and code: the mfa token's jti is its id. */
@Entity({ name: 'mfa_sessions' })
@Check('mfa_sessions_purpose_check', `purpose IN ('login', 'register')`)
@Index('mfa_sessions_expires_at_idx', ['expiresAt'])
@Index('mfa_sessions_self_service_idx', ['userId'], {
  where: 'self_service_session_id IS NOT NULL',
})
export class PendingSignIn extends UserOwnedEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

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

  /** App-based registration: the sealed secret offered, until the first valid code confirms it. */
  @Column({ name: 'pending_secret', type: 'text', nullable: true, select: false })
  pendingSecret!: string | null;

  @Column({ name: 'pending_params', type: 'jsonb', nullable: true })
  pendingParams!: Record<string, string | number> | null;

  /**
   * Adding a factor while the user has another (API.md v1.1 §4): the type they must prove first
   * (`recovery_code` when no channel can reach theirs), the channel that proves it, and when it was.
   */
  @Column({ name: 'proof_type', type: 'varchar', length: 32, nullable: true })
  proofType!: string | null;

  @Column({ name: 'proof_channel_id', type: 'uuid', nullable: true })
  proofChannelId!: string | null;

  @TimestampColumn('proven_at', { nullable: true })
  provenAt!: Date | null;

  /** The account's 2FA step was locked at login: only a recovery code may finish (v1.1 §6). */
  @Column({ name: 'recovery_only', type: 'boolean', default: false })
  recoveryOnly!: boolean;

  /**
   * Self-service 2FA (API.md v1.1 §8): the refresh session (access tokens' `sid`) whose user asked
   * to replace the factor. Such a row is a pending registration, never an mfa token's sign-in.
   */
  @Column({ name: 'self_service_session_id', type: 'uuid', nullable: true })
  selfServiceSessionId!: string | null;

  /**
   * The login body's device token when it named a live device of the user (v1.1 §7), sealed:
   * the verify keeps that device and hands the same token back.
   */
  @Column({ name: 'device_token', type: 'text', nullable: true, select: false })
  deviceToken!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @TimestampColumn('expires_at')
  expiresAt!: Date;

  @TimestampColumn('spent_at', { nullable: true })
  spentAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
