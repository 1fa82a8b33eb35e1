import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { ResolvedTenant } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { SessionsService } from '../sessions/sessions.service';
import { SelectedColumns } from '../database/selected-columns';
import { TENANT_COLUMNS } from '../tenants/tenant.row';
import { User } from '../users/entities/user.entity';
import { USER_COLUMNS } from '../users/user.row';
import { PendingSignIn } from './entities/pending-sign-in.entity';

/**
 * What every authenticated request needs of the database, in ONE prepared statement: the tenant,
 * the user and the session (access token) or the sign-in (mfa token). Each module owns its
 * columns and their mapping (tenant.row, user.row, SessionsService); this only joins them.
 */
@Injectable()
export class BearerLookup {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Access token: the tenant of `slug`, its user `userId`, and whether session `sid` is live. */
  async forAccess(
    slug: string,
    userId: string,
    sid: string,
  ): Promise<{ tenant: ResolvedTenant | null; user: User | null; live: boolean }> {
    const [row] = await runPrepared<{ live: boolean }>(
      this.dataSource,
      sql`SELECT ${TENANT_COLUMNS.of('t')}, ${USER_COLUMNS.of('u')},
                 ${SessionsService.isLiveExpression(sid)} AS live
            FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id AND u.id = ${userId}::uuid
           WHERE t.slug = ${slug}`,
    );
    if (!row) return { tenant: null, user: null, live: false };
    return { tenant: TENANT_COLUMNS.read(row), user: userOf(row), live: row.live };
  }

  /** Mfa token: the sign-in `id` with its tenant and user. */
  async forSignIn(id: string): Promise<{
    signIn: PendingSignIn;
    tenant: ResolvedTenant;
    user: User | null;
    factor: SealedAppFactor;
  } | null> {
    const [row] = await runPrepared<FactorRow>(
      this.dataSource,
      sql`SELECT ${SIGN_IN_COLUMNS.of('m')},
                 m.pending_secret, r.secret AS enrolled_secret, r.params AS enrolled_params,
                 c.config AS factor_channel_config, COALESCE(c.enabled, false) AS factor_channel_enabled,
                 ${TENANT_COLUMNS.of('t')}, ${USER_COLUMNS.of('u')}
            FROM mfa_sessions m JOIN tenants t ON t.id = m.tenant_id
            LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
            -- The factor this sign-in's verify checks (the proof's while one is pending): an app's
            -- sealed secret and its channel's settings come with the sign-in (no reads at verify).
            LEFT JOIN user_2fa r ON r.tenant_id = m.tenant_id AND r.user_id = m.user_id
                  AND r.channel_type = ${FACTOR_TYPE}
            LEFT JOIN channels c ON c.tenant_id = m.tenant_id AND c.id = ${FACTOR_CHANNEL}
           -- A self-service registration (v1.1 §8) has no mfa token: never a sign-in here.
           WHERE m.id = ${id}::uuid AND m.self_service_session_id IS NULL`,
    );
    const tenant = row ? TENANT_COLUMNS.read(row) : null;
    const signIn = row ? SIGN_IN_COLUMNS.read(row) : null;
    if (!row || !tenant || !signIn) return null;
    const factor = {
      offered: row.pending_secret,
      enrolled: row.enrolled_secret,
      enrolledParams: row.enrolled_params ?? {},
      channelConfig: row.factor_channel_config,
      channelEnabled: row.factor_channel_enabled,
    };
    return { signIn: signIn as PendingSignIn, tenant, user: userOf(row), factor };
  }
}

/** While a proof is pending its factor is checked, else the sign-in's own channel type. */
const FACTOR_TYPE = sql`CASE WHEN m.proof_type IS NOT NULL AND m.proven_at IS NULL
                             THEN m.proof_type ELSE m.channel_type END`;
const FACTOR_CHANNEL = sql`CASE WHEN m.proof_type IS NOT NULL AND m.proven_at IS NULL
                                THEN m.proof_channel_id ELSE m.channel_id END`;

/**
 * An app factor as stored, still sealed: the secret offered in this sign-in (registration), the
 * enrolled one, and the settings (window) of the factor's channel (null: no such channel).
 */
export interface SealedAppFactor {
  offered: string | null;
  enrolled: string | null;
  enrolledParams: Record<string, string | number>;
  channelConfig: Record<string, unknown> | null;
  channelEnabled: boolean;
}

interface FactorRow {
  pending_secret: string | null;
  enrolled_secret: string | null;
  enrolled_params: Record<string, string | number> | null;
  factor_channel_config: Record<string, unknown> | null;
  factor_channel_enabled: boolean;
}

/** The sign-in of an mfa token as this lookup reads it: all but its sealed secret (FactorRow). */
const SIGN_IN_COLUMNS = new SelectedColumns<
  Omit<PendingSignIn, 'pendingSecret' | 'selfServiceSessionId'>
>('sign_in', {
  id: 'id',
  tenantId: 'tenant_id',
  userId: 'user_id',
  purpose: 'purpose',
  channelId: 'channel_id',
  channelType: 'channel_type',
  passwordVersion: 'password_version',
  twoFactorVersion: 'two_factor_version',
  policy: 'policy',
  pendingParams: 'pending_params',
  proofType: 'proof_type',
  proofChannelId: 'proof_channel_id',
  provenAt: 'proven_at',
  recoveryOnly: 'recovery_only',
  deviceToken: 'device_token',
  ip: 'ip',
  userAgent: 'user_agent',
  expiresAt: 'expires_at',
  spentAt: 'spent_at',
  createdAt: 'created_at',
});

/** The user of a row, typed as the entity its callers pass on (it never carries the hash). */
function userOf(row: object): User | null {
  return USER_COLUMNS.read(row) as User | null;
}
