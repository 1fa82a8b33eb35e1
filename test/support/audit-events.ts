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
