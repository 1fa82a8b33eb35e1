import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../database/columns';
import { UserOwnedEntity } from '../../database/owned-entities';

/**
 * A browser the user signed in from (API.md v1.1 §7): its token (32 random bytes, given to the
 * client once per sign-in answer) is stored only as a keyed hash. Remembered while
 * `remembered_until` is ahead and the user's password and 2FA versions are still those pinned
 * here; a revoked device is never remembered again (its token then counts as unknown).
 */
@Entity({ name: 'devices' })
@Index('devices_token_hash_key', ['tokenHash'], { unique: true })
@Index('devices_user_idx', ['tenantId', 'userId'])
export class Device extends UserOwnedEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** HMAC-SHA256 of the token under a key derived from OTP_HASH_KEY. */
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  /** The browser summarised ("Chrome 131 on Windows"), never the raw User-Agent. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @TimestampColumn('remembered_until', { nullable: true })
  rememberedUntil!: Date | null;

  /** The user's password and 2FA versions when remembered: a change of either ends it. */
  @Column({ name: 'password_version', type: 'integer', nullable: true })
  passwordVersion!: number | null;

  @Column({ name: 'two_factor_version', type: 'integer', nullable: true })
  twoFactorVersion!: number | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn('last_used_at', { default: () => 'now()' })
  lastUsedAt!: Date;

  @Column({ name: 'last_ip', type: 'varchar', length: 64, nullable: true })
  lastIp!: string | null;

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt!: Date | null;
}
