import { QueryFailedError } from 'typeorm';

/**
 * TypeORM drops `undefined` from a WHERE clause, which would widen a query to every tenant:
 * every tenant-scoped method starts with this.
 */
export function requireTenant(tenantId: string): void {
  if (!tenantId) throw new Error('tenantId is required');
}

/** A unique index refused the write (PostgreSQL 23505). */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string })?.code === '23505';
}
