import { raw, Sql } from 'sql-template-tag';
import type { User } from './entities/user.entity';

/**
 * The user (never the hash) as a hot-path statement of another module selects it: users owns its
 * columns and their mapping, here, once.
 */
export function userColumns(alias: string): Sql {
  return raw(
    [
      `${alias}.id AS user_id`,
      `${alias}.tenant_id AS user_tenant_id`,
      `${alias}.username AS user_username`,
      `${alias}.display_name AS user_display_name`,
      `${alias}.email AS user_email`,
      `${alias}.locale AS user_locale`,
      `${alias}.roles AS user_roles`,
      `${alias}.disabled AS user_disabled`,
      `${alias}.password_version AS user_password_version`,
      `${alias}.two_factor_version AS user_two_factor_version`,
      `${alias}.created_at AS user_created_at`,
      `${alias}.updated_at AS user_updated_at`,
    ].join(', '),
  );
}

export interface UserRow {
  user_id: string | null;
  user_tenant_id: string;
  user_username: string;
  user_display_name: string | null;
  user_email: string | null;
  user_locale: string | null;
  user_roles: string[];
  user_disabled: boolean;
  user_password_version: number;
  user_two_factor_version: number;
  user_created_at: Date;
  user_updated_at: Date;
}

export function userFromRow(r: UserRow): User | null {
  if (!r.user_id) return null;
  return {
    id: r.user_id,
    tenantId: r.user_tenant_id,
    username: r.user_username,
    displayName: r.user_display_name,
    email: r.user_email,
    locale: r.user_locale,
    roles: r.user_roles,
    disabled: r.user_disabled,
    passwordVersion: r.user_password_version,
    twoFactorVersion: r.user_two_factor_version,
    createdAt: r.user_created_at,
    updatedAt: r.user_updated_at,
  } as User;
}
