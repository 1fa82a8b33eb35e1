import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

/** A tenant's subscription to its audit events. The signing secret is stored sealed. */
@Entity({ name: 'webhooks' })
@Index('webhooks_tenant_created_idx', ['tenantId', 'createdAt'])
export class Webhook extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** Audit event types, or `*` for all. */
  @Column({ type: 'text', array: true })
  events!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Why the service disabled it (`gone`: the receiver answered 410); null otherwise. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 32, nullable: true })
  disabledReason!: string | null;

  /** SecretBox-sealed `whsec_…` (context `webhook:<id>`). */
  @Column({ type: 'text', select: false })
  secret!: string;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
