import { Check, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../../database/columns';

export type TenantStatus = 'active' | 'disabled';

@Entity({ name: 'tenants' })
@Check('tenants_status_check', `status IN ('active', 'disabled')`)
@Unique('tenants_slug_key', ['slug'])
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 63 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: TenantStatus;

  /** BCP 47: the locale of mails to users who have none (API.md v1.1 §11). */
  @Column({ name: 'default_locale', type: 'varchar', length: 35, default: 'en' })
  defaultLocale!: string;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
