import { Column, Entity } from 'typeorm';
import { TimestampColumn, UserIdColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

/** Per-user 2FA runtime state: the lockout counter (NIST: new codes never reset it) and cooldown. */
@Entity({ name: 'two_factor_state' })
export class TwoFactorState extends TenantOwnedEntity {
  @UserIdColumn({ primary: true })
  userId!: string;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @TimestampColumn('locked_until', { nullable: true })
  lockedUntil!: Date | null;

  /** The ceiling (v1.1 §2) was reached: locked until an admin unlock or reset, or a recovery code. */
  @Column({ name: 'locked_indefinitely', type: 'boolean', default: false })
  lockedIndefinitely!: boolean;

  /** Last successful delivery: the cooldown runs from here. */
  @TimestampColumn('last_delivery_at', { nullable: true })
  lastDeliveryAt!: Date | null;

  /** Authenticator apps: the last accepted time step (no replay). */
  @Column({ name: 'last_totp_step', type: 'bigint', nullable: true })
  lastTotpStep!: string | null;
}
