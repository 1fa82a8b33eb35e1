import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { ResolvedTenant } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { SessionsService } from '../sessions/sessions.service';
import { tenantColumns, tenantFromRow, TenantRow } from '../tenants/tenant.row';
import { User } from '../users/entities/user.entity';
import { userColumns, userFromRow, UserRow } from '../users/user.row';
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
    const [row] = await runPrepared<TenantRow & UserRow & { live: boolean }>(
      this.dataSource,
      sql`SELECT ${tenantColumns('t')}, ${userColumns('u')},
                 ${SessionsService.isLiveExpression(sid)} AS live
            FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id AND u.id = ${userId}::uuid
           WHERE t.slug = ${slug}`,
    );
    if (!row) return { tenant: null, user: null, live: false };
    return { tenant: tenantFromRow(row), user: userFromRow(row), live: row.live };
  }

  /** Mfa token: the sign-in `id` with its tenant and user. */
  async forSignIn(id: string): Promise<{
    signIn: PendingSignIn;
    tenant: ResolvedTenant;
    user: User | null;
    factor: SealedAppFactor;
  } | null> {
    const [row] = await runPrepared<TenantRow & UserRow & SignInRow & FactorRow>(
      this.dataSource,
      sql`SELECT m.id AS sign_in_id, m.purpose, m.channel_id, m.channel_type,
                 m.password_version AS sign_in_password_version,
                 m.two_factor_version AS sign_in_two_factor_version, m.policy, m.pending_params,
                 m.proof_type, m.proof_channel_id, m.proven_at, m.recovery_only, m.device_token AS sign_in_device_token, m.ip, m.user_agent, m.expires_at, m.spent_at, m.created_at AS sign_in_created_at,
                 m.pending_secret, r.secret AS enrolled_secret, r.params AS enrolled_params,
                 c.config AS factor_channel_config, COALESCE(c.enabled, false) AS factor_channel_enabled,
                 ${tenantColumns('t')}, ${userColumns('u')}
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
    const tenant = row ? tenantFromRow(row) : null;
    if (!row || !tenant) return null;
    const signIn = {
      id: row.sign_in_id,
      tenantId: tenant.id,
      userId: row.user_id ?? '',
      purpose: row.purpose,
      channelId: row.channel_id,
      channelType: row.channel_type,
      passwordVersion: row.sign_in_password_version,
      twoFactorVersion: row.sign_in_two_factor_version,
      policy: row.policy,
      pendingParams: row.pending_params,
      proofType: row.proof_type,
      proofChannelId: row.proof_channel_id,
      provenAt: row.proven_at,
      recoveryOnly: row.recovery_only,
      deviceToken: row.sign_in_device_token,
      ip: row.ip,
      userAgent: row.user_agent,
      expiresAt: row.expires_at,
      spentAt: row.spent_at,
      createdAt: row.sign_in_created_at,
    } as PendingSignIn;
    const factor = {
      offered: row.pending_secret,
      enrolled: row.enrolled_secret,
      enrolledParams: row.enrolled_params ?? {},
      channelConfig: row.factor_channel_config,
      channelEnabled: row.factor_channel_enabled,
    };
    return { signIn, tenant, user: userFromRow(row), factor };
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

interface SignInRow {
  sign_in_id: string;
  purpose: PendingSignIn['purpose'];
  channel_id: string;
  channel_type: string;
  sign_in_password_version: number;
  sign_in_two_factor_version: number;
  policy: PendingSignIn['policy'];
  pending_params: PendingSignIn['pendingParams'];
  proof_type: string | null;
  proof_channel_id: string | null;
  proven_at: Date | null;
  recovery_only: boolean;
  sign_in_device_token: string | null;
  ip: string | null;
  user_agent: string | null;
  expires_at: Date;
  spent_at: Date | null;
  sign_in_created_at: Date;
}
