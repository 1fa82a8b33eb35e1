import { applyDecorators } from '@nestjs/common';
import {
  Column,
  type ColumnOptions,
  CreateDateColumn,
  ForeignKey,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * `<name> uuid` referencing `entity` (by its class name), deleted with it unless `onDelete` says
 * otherwise; its constraint is named by PostgresNamingStrategy.
 */
export function ReferenceColumn(
  entity: string,
  name: string,
  options: { primary?: boolean; nullable?: boolean; onDelete?: 'CASCADE' | 'RESTRICT' } = {},
) {
  const { primary, onDelete = 'CASCADE', ...column } = options;
  return applyDecorators(
    primary ? PrimaryColumn({ name, type: 'uuid' }) : Column({ name, type: 'uuid', ...column }),
    ForeignKey(entity, { onDelete }),
  );
}

/** The tenant a row belongs to: `tenant_id`, gone with the tenant. */
export const TenantIdColumn = (options: { primary?: boolean } = {}) =>
  ReferenceColumn('Tenant', 'tenant_id', options);

/** The user a row belongs to: `user_id`, gone with the user. */
export const UserIdColumn = (options: { primary?: boolean } = {}) =>
  ReferenceColumn('User', 'user_id', options);

/** `created_at timestamptz NOT NULL DEFAULT now()`, set by TypeORM on insert. */
export const CreatedAtColumn = () => CreateDateColumn({ name: 'created_at', type: 'timestamptz' });

/** `updated_at timestamptz NOT NULL DEFAULT now()`, set by TypeORM on every save. */
export const UpdatedAtColumn = () => UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' });

/** A `timestamptz` column (`nullable`: a moment that may not have come yet). */
export const TimestampColumn = (
  name: string,
  options: Pick<ColumnOptions, 'nullable' | 'default'> = {},
) => Column({ name, type: 'timestamptz', ...options });

/**
 * `bigint GENERATED ALWAYS AS IDENTITY`: insertion order, which a newest-first listing sorts by
 * and uses as its cursor. The database assigns it; TypeORM never writes it.
 */
export const InsertionOrderColumn = () =>
  Column({
    type: 'bigint',
    insert: false,
    update: false,
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
  });
