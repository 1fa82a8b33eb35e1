import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

export type ChannelConfig = Record<string, string | number | boolean>;

/** A delivery channel of a tenant. Secret config fields live sealed in `secrets`, never in `config`. */
@Entity({ name: 'channels' })
@Check('channels_active_enabled_check', 'NOT active OR enabled')
// One active channel per tenant: a partial unique index (described in the migration).
@Index('channels_one_active_key', { synchronize: false })
@Index('channels_tenant_created_idx', ['tenantId', 'createdAt'])
export class Channel extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** The channel the tenant's 2FA settings name. */
  @Column({ type: 'boolean', default: false })
  active!: boolean;

  /** The provider's non-secret settings (flat: strings, numbers, booleans). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config!: ChannelConfig;

  /** SecretBox-sealed JSON of the provider's secret fields (null: none set). */
  @Column({ type: 'text', nullable: true, select: false })
  secrets!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
