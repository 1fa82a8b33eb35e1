import sql, { Sql } from 'sql-template-tag';
import type { TwoFactorRegistration } from './two-factor-registrations.service';

/** The user's confirmed registrations, oldest first, as one json column `registrations`. */
export function registrationsColumn(tenantId: string, userId: string): Sql {
  return sql`(SELECT COALESCE(json_agg(json_build_object('channelType', r.channel_type,
                 'destination', r.destination, 'confirmedAt', r.confirmed_at)
                 ORDER BY r.confirmed_at), '[]'::json)
                FROM user_2fa r WHERE r.tenant_id = ${tenantId}::uuid AND r.user_id = ${userId}::uuid)
            AS registrations`;
}

export interface RegistrationsRow {
  registrations: Array<{ channelType: string; destination: string | null; confirmedAt: string }>;
}

export function registrationsFromRow(r: RegistrationsRow): TwoFactorRegistration[] {
  return r.registrations.map((x) => ({ ...x, confirmedAt: new Date(x.confirmedAt) }));
}
