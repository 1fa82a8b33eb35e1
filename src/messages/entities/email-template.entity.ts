import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { UpdatedAtColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

/** A tenant's own text for one kind of mail in one locale; it wins over the built-in one. */
@Entity({ name: 'email_templates' })
// Also the index of the one query a send makes: the tenant's templates of a kind.
@Unique('email_templates_tenant_kind_locale_key', ['tenantId', 'kind', 'locale'])
export class EmailTemplate extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** BCP 47, canonical case (`pt-BR`). */
  @Column({ type: 'varchar', length: 35 })
  locale!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'text', nullable: true })
  html!: string | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
