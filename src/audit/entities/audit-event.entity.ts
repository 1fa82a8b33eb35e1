import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CreatedAtColumn, TenantIdColumn } from '../../database/columns';

@Entity({ name: 'audit_events' })
@Check('audit_events_actor_type_check', `actor_type IN ('user', 'platform')`)
@Unique('audit_events_seq_key', ['seq'])
// Descending (tenant, seq) indexes for the newest-first listing: described in the migration.
@Index('audit_events_tenant_seq_idx', { synchronize: false })
@Index('audit_events_tenant_user_seq_idx', { synchronize: false })
@Index('audit_events_created_at_idx', ['createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order: the listing is newest first and its cursor is this number. */
  @Column({
    type: 'bigint',
    insert: false,
    update: false,
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
  })
  seq!: string;

  @TenantIdColumn()
  tenantId!: string;

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
