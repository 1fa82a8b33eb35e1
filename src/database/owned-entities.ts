import { TenantIdColumn, UserIdColumn } from './columns';

/** What every row of one tenant has: its `tenant_id`, which it goes with. */
export abstract class TenantOwnedEntity {
  @TenantIdColumn()
  tenantId!: string;
}

/** What every row of one user has: its `tenant_id` and `user_id`, which it goes with. */
export abstract class UserOwnedEntity extends TenantOwnedEntity {
  @UserIdColumn()
  userId!: string;
}
