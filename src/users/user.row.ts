import { SelectedColumns } from '../database/selected-columns';
import type { User } from './entities/user.entity';

/** Everything of a user but the password hash, which no other module reads. */
export type SelectedUser = Omit<User, 'passwordHash'>;

/**
 * The user (never the hash) as a hot-path statement of another module selects it: users owns its
 * columns and their mapping, here, once.
 */
export const USER_COLUMNS = new SelectedColumns<SelectedUser>('user', {
  id: 'id',
  tenantId: 'tenant_id',
  username: 'username',
  displayName: 'display_name',
  email: 'email',
  locale: 'locale',
  roles: 'roles',
  disabled: 'disabled',
  passwordVersion: 'password_version',
  twoFactorVersion: 'two_factor_version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});
