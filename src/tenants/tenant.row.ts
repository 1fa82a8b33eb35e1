import type { ResolvedTenant } from '../common/http/request-context';
import { SelectedColumns } from '../database/selected-columns';

/**
 * The tenant as a hot-path statement of another module selects it (one statement per request):
 * tenants owns its columns and their mapping, here, once.
 */
export const TENANT_COLUMNS = new SelectedColumns<ResolvedTenant>('tenant', {
  id: 'id',
  slug: 'slug',
  name: 'name',
  status: 'status',
  defaultLocale: 'default_locale',
});
