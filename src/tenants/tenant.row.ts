import { raw, Sql } from 'sql-template-tag';
import type { ResolvedTenant } from '../common/http/request-context';

/**
 * The tenant as a hot-path statement of another module selects it (one statement per request):
 * tenants owns its columns and their mapping, here, once.
 */
export function tenantColumns(alias: string): Sql {
  return raw(
    `${alias}.id AS tenant_id, ${alias}.slug AS tenant_slug, ${alias}.name AS tenant_name, ` +
      `${alias}.status AS tenant_status, ${alias}.default_locale AS tenant_default_locale`,
  );
}

export interface TenantRow {
  tenant_id: string | null;
  tenant_slug: string;
  tenant_name: string;
  tenant_status: ResolvedTenant['status'];
  tenant_default_locale: string;
}

export function tenantFromRow(r: TenantRow): ResolvedTenant | null {
  if (!r.tenant_id) return null;
  return {
    id: r.tenant_id,
    slug: r.tenant_slug,
    name: r.tenant_name,
    status: r.tenant_status,
    defaultLocale: r.tenant_default_locale,
  };
}
