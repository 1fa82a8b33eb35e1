import type { TestApp } from './test-app';

/** One item of GET /v1/tenants/{slug}/audit-events, as API.md describes it on the wire. */
export interface AuditEventItem {
  id: string;
  type: string;
  userId: string | null;
  actor: { type: 'user' | 'platform'; id: string | null };
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

/** The tenant's audit events (newest first), read through the admin API with the platform key. */
export async function auditEvents(
  t: Pick<TestApp, 'http' | 'platformKey'>,
  tenantSlug: string,
  query: { type?: string; userId?: string; limit?: number } = {},
): Promise<AuditEventItem[]> {
  const res = await t
    .http()
    .get(`/v1/tenants/${tenantSlug}/audit-events`)
    .query({ limit: 200, ...query })
    .set('X-Api-Key', t.platformKey)
    .expect(200);
  return res.body.items as AuditEventItem[];
}
