import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../../database/columns';
import { TenantOwnedEntity } from '../../database/owned-entities';

/** A tenant's user. Usernames are unique per tenant compared case-insensitively (an index on lower()). */
@Entity({ name: 'users' })
// (tenant_id, lower(username)): an expression index TypeORM cannot describe; see the migration.
@Index('users_tenant_username_key', { synchronize: false })
export class User extends TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  /** Contact address; never the 2FA address (that is set only by a verified registration). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** BCP 47, or null: the tenant's default locale (API.md v1.1 §11). */
  @Column({ type: 'varchar', length: 35, nullable: true })
  locale!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  /** Bumped on every password change: tokens issued before it stop working. */
  @Column({ name: 'password_version', type: 'integer', default: 1 })
  passwordVersion!: number;

  /** Bumped when a 2FA registration is confirmed or reset: sign-ins begun before stop working. */
  @Column({ name: 'two_factor_version', type: 'integer', default: 1 })
  twoFactorVersion!: number;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
