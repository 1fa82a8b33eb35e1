import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** Per-user 2FA runtime state: the lockout counter (NIST: new codes never reset it) and cooldown. */
@Entity({ name: 'two_factor_state' })
export class TwoFactorState {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('User', { name: 'two_factor_state_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey('Tenant', { name: 'two_factor_state_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** The ceiling (v1.1 §2) was reached: locked until an admin unlock or reset, or a recovery code. */
  @Column({ name: 'locked_indefinitely', type: 'boolean', default: false })
  lockedIndefinitely!: boolean;

  /** Last successful delivery: the cooldown runs from here. */
  @Column({ name: 'last_delivery_at', type: 'timestamptz', nullable: true })
  lastDeliveryAt!: Date | null;

  /** Authenticator apps: the last accepted time step (no replay). */
  @Column({ name: 'last_totp_step', type: 'bigint', nullable: true })
  lastTotpStep!: string | null;
}
