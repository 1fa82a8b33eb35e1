import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

/**
 * A user's confirmed 2FA registration for one channel type (email address, TOTP secret). Kept
 * per type, so switching the tenant's channel and back finds it again.
 */
@Entity({ name: 'user_2fa' })
// (tenant_id, channel_type, lower(destination)): an expression index, see the migration.
@Index('user_2fa_destination_idx', { synchronize: false })
export class UserTwoFactor extends TenantOwnedEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid', primaryKeyConstraintName: 'user_2fa_pkey' })
  @ForeignKey('User', { onDelete: 'CASCADE' })
  userId!: string;

  @PrimaryColumn({
    name: 'channel_type',
    type: 'varchar',
    length: 32,
    primaryKeyConstraintName: 'user_2fa_pkey',
  })
  channelType!: string;

  /** Where codes go (a code-delivering channel); null for app-based ones. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  destination!: string | null;

  /** SecretBox-sealed secret (app-based channels). */
  @Column({ type: 'text', nullable: true, select: false })
  secret!: string | null;

  /** App-based channels: the parameters it was enrolled with (digits, period, algorithm). */
  @Column({ type: 'jsonb', nullable: true })
  params!: Record<string, string | number> | null;

  @TimestampColumn('confirmed_at', { default: () => 'now()' })
  confirmedAt!: Date;
}
