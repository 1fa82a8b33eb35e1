import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CreatedAtColumn, InsertionOrderColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

@Entity({ name: 'audit_events' })
@Check('audit_events_actor_type_check', `actor_type IN ('user', 'platform')`)
@Unique('audit_events_seq_key', ['seq'])
// Descending (tenant, seq) indexes for the newest-first listing: described in the migration.
@Index('audit_events_tenant_seq_idx', { synchronize: false })
@Index('audit_events_tenant_user_seq_idx', { synchronize: false })
@Index('audit_events_created_at_idx', ['createdAt'])
export class AuditEvent extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @InsertionOrderColumn()
  seq!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  /** The user the event is about (no foreign key: events outlive deleted users). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType!: 'user' | 'platform';

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt!: Date;
}
