import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import sql, { raw, Sql } from 'sql-template-tag';
import { DataSource, EntityManager } from 'typeorm';
import { authConfig, cryptoConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { requireTenant } from '../database/query-guards';
import { Acr, SessionEndReason } from './entities/refresh-session.entity';
import { DeviceUse, RememberedDevices } from './remembered-devices.service';

/** 32 random bytes, base64url: the only form a refresh token has. */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** How and when the user signed in: kept by the session and every access token of it. */
export interface SignInContext {
  amr: string[];
  acr: Acr;
  /** The sign-in's time (the tokens' `auth_time`). */
  authTime: Date;
}

export interface NewSession extends SignInContext {
  tenantId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
}

export interface LiveSession extends SignInContext {
  id: string;
  tenantId: string;
  userId: string;
}

/** What presenting a refresh token came to. */
export type RotationResult =
  | { outcome: 'rotated'; session: LiveSession; refreshToken: string }
  /** Not a token of ours (or its session was purged). */
  | { outcome: 'unknown' }
  /** Its session had already ended (revoked, timed out): nothing more to do. */
  | { outcome: 'ended'; session: LiveSession }
  /** Its session timed out just now: ended here, with this reason. */
  | { outcome: 'timed_out'; session: LiveSession; reason: 'idle_timeout' | 'max_age' }
  /** The token was used before (or by a concurrent request): the session is revoked. */
  | { outcome: 'reused'; session: LiveSession };

/** Who ends sessions, for the SESSION_REVOKED event. */
export type RevokedBy = Pick<AuditEntry, 'actor' | 'ip' | 'userAgent'>;

interface RotationRow {
  id: string;
  tenant_id: string;
  user_id: string;
  amr: string[];
  acr: Acr;
  auth_time: Date;
  revoked: boolean;
  ended: boolean;
  past_max_age: boolean;
  was_used: boolean;
  spent: number;
  issued: number;
}

/**
 * Refresh-token sessions (API.md "Tokens and sessions"): one row per sign-in, refresh tokens
 * opaque (256 bits), stored as keyed hashes, single use and rotated, reuse revoking the session.
 * Every way a session ends writes SESSION_REVOKED with the reason.
 */
@Injectable()
export class SessionsService {
  private readonly tokenKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
    private readonly audit: AuditService,
    private readonly devices: RememberedDevices,
  ) {
    // A key of its own, derived from OTP_HASH_KEY: a refresh-token hash is never a code hash.
    this.tokenKey = createHmac('sha256', crypto.otpHashKey)
      .update('efcx refresh-token hash v1')
      .digest();
  }

  private hash(token: string): Buffer {
    return createHmac('sha256', this.tokenKey).update(token, 'utf8').digest();
  }

  private static newToken(): string {
    return randomBytes(32).toString('base64url');
  }

  /**
   * A new session, its first refresh token and the sign-in's device (kept or new, v1.1 §7), in
   * one statement.
   */
  async start(
    s: NewSession,
    device: Omit<DeviceUse, 'tenantId' | 'userId'>,
  ): Promise<{ sessionId: string; refreshToken: string; deviceId: string; deviceToken: string }> {
    const opening = this.opening(s, 'one');
    const using = this.devices.using({ ...device, tenantId: s.tenantId, userId: s.userId }, 'one');
    const statement = sql`WITH one AS (SELECT 1), ${opening.ctes}, ${using.ctes}
      SELECT id, kept FROM device`;
    const [row] = (await this.dataSource.query(statement.text, statement.values)) as Array<{
      id: string;
      kept: boolean;
    }>;
    return {
      sessionId: opening.sessionId,
      refreshToken: opening.refreshToken,
      deviceId: row.id,
      deviceToken: using.token(row.kept),
    };
  }

  /**
   * The session a sign-in opens, as CTEs for the caller's statement: opened for each row of the
   * CTE `after` (none: nothing is opened), so a sign-in's last step and its session commit
   * together. The CTE `opened` returns the session's id.
   */
  opening(s: NewSession, after: string): { ctes: Sql; sessionId: string; refreshToken: string } {
    requireTenant(s.tenantId);
    const sessionId = randomUUID();
    const refreshToken = SessionsService.newToken();
    const ctes = sql`opened AS (
       INSERT INTO sessions (id, tenant_id, user_id, amr, acr, auth_time, ip, user_agent,
                             last_refreshed_at, expires_at)
       SELECT ${sessionId}::uuid, ${s.tenantId}::uuid, ${s.userId}::uuid, ${s.amr}::text[],
              ${s.acr}, ${s.authTime}::timestamptz, ${s.ip},
              ${s.userAgent?.slice(0, 512) ?? null}, now(),
              now() + make_interval(secs => LEAST(${this.cfg.sessionIdleTimeoutSeconds}::int,
                                                  ${this.cfg.sessionMaxAgeSeconds}::int))
         FROM ${raw(after)} LIMIT 1
       RETURNING id
     ), first_refresh_token AS (
       INSERT INTO refresh_tokens (token_hash, session_id)
       SELECT ${this.hash(refreshToken)}::bytea, id FROM opened
     )`;
    return { ctes, sessionId, refreshToken };
  }

  /**
   * Presents a refresh token. One statement finds it with its session, marks it used (only if it
   * was unused and the session live), extends the session's idle deadline (never past its maximum
   * age) and stores the next token: of concurrent presentations exactly one rotates. Every other
   * presentation of a token that was once valid counts as reuse and revokes the session.
   */
  async rotate(token: string, meta: Pick<RevokedBy, 'ip' | 'userAgent'>): Promise<RotationResult> {
    if (typeof token !== 'string' || !REFRESH_TOKEN.test(token)) return { outcome: 'unknown' };
    const next = SessionsService.newToken();
    const [row] = (await this.dataSource.query(
      `WITH found AS (
         SELECT s.id, s.tenant_id, s.user_id, s.amr, s.acr, s.auth_time, s.created_at, s.expires_at,
                s.revoked_at, t.used_at
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1),
       spent AS (
         UPDATE refresh_tokens t SET used_at = now()
           FROM found
          WHERE t.token_hash = $1 AND t.used_at IS NULL AND found.expires_at > now()
         RETURNING t.session_id),
       touched AS (
         UPDATE sessions s SET last_refreshed_at = now(),
                expires_at = LEAST(now() + make_interval(secs => $3),
                                   s.created_at + make_interval(secs => $4))
           FROM spent
          WHERE s.id = spent.session_id AND s.expires_at > now()
         RETURNING s.id),
       issued AS (
         INSERT INTO refresh_tokens (token_hash, session_id) SELECT $2, id FROM touched
         RETURNING session_id)
       SELECT id, tenant_id, user_id, amr, acr, auth_time,
              revoked_at IS NOT NULL AS revoked,
              expires_at <= now() AS ended,
              created_at + make_interval(secs => $4) <= now() AS past_max_age,
              used_at IS NOT NULL AS was_used,
              (SELECT count(*) FROM spent)::int AS spent,
              (SELECT count(*) FROM issued)::int AS issued
         FROM found`,
      [
        this.hash(token),
        this.hash(next),
        this.cfg.sessionIdleTimeoutSeconds,
        this.cfg.sessionMaxAgeSeconds,
      ],
    )) as RotationRow[];
    if (!row) return { outcome: 'unknown' };
    const session: LiveSession = {
      id: row.id,
      tenantId: row.tenant_id,
      userId: row.user_id,
      amr: row.amr,
      acr: row.acr,
      authTime: row.auth_time,
    };
    if (row.issued === 1) return { outcome: 'rotated', session, refreshToken: next };
    const self = {
      actor: { type: 'user' as const, id: row.user_id },
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    if (row.revoked) return { outcome: 'ended', session };
    if (row.ended) {
      const reason = row.past_max_age ? 'max_age' : 'idle_timeout';
      // Ended by time: recorded once, by the first presentation after the end.
      await this.revoke(session.tenantId, session.id, reason, self);
      return { outcome: 'timed_out', session, reason };
    }
    // Used before, or used by a concurrent request that won the rotation: a copy of the token
    // exists somewhere. The whole session goes, the newest token with it.
    if (row.was_used || row.spent === 0) {
      await this.revoke(session.tenantId, session.id, 'reuse', self);
      return { outcome: 'reused', session };
    }
    // Spent but the session was revoked in between (an admin action won): already ended.
    return { outcome: 'ended', session };
  }

  /** "The session is live" as an expression of the caller's statement (one primary-key probe). */
  static isLiveExpression(sessionId: string): Sql {
    return sql`EXISTS (SELECT 1 FROM sessions WHERE id = ${sessionId}::uuid AND expires_at > now())`;
  }

  /** True while the session is live (not revoked, not timed out): one primary-key lookup. */
  async isLive(sessionId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM sessions WHERE id = $1 AND expires_at > now()`,
      [sessionId],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Ends one session (logout, reuse, timeout). False when it had already ended by revocation. */
  async revoke(
    tenantId: string,
    sessionId: string,
    reason: SessionEndReason,
    by: RevokedBy,
    m?: EntityManager,
  ): Promise<boolean> {
    requireTenant(tenantId);
    const [rows] = (await (m ?? this.dataSource.manager).query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $3,
              expires_at = LEAST(expires_at, now())
        WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL
        RETURNING user_id`,
      [tenantId, sessionId, reason],
    )) as [Array<{ user_id: string }>, number];
    const userId = rows[0]?.user_id;
    if (!userId) return false;
    await this.audit.record(
      tenantId,
      { type: AuditEventType.SESSION_REVOKED, userId, ...by, data: { sessionId, reason } },
      m,
    );
    return true;
  }

  /**
   * Ends every live session of one user (disabled, password changed, 2FA reset) but
   * `keepSessionId` when given, inside the
   * caller's transaction so the change and the revocation commit together. The number ended.
   */
  async revokeAllOfUser(
    tenantId: string,
    userId: string,
    reason: SessionEndReason,
    by: RevokedBy,
    m: EntityManager,
    keepSessionId: string | null = null,
  ): Promise<number> {
    requireTenant(tenantId);
    const [rows] = (await m.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $3, expires_at = now()
        WHERE tenant_id = $1 AND user_id = $2 AND expires_at > now()
          AND id IS DISTINCT FROM $4
        RETURNING id`,
      [tenantId, userId, reason, keepSessionId],
    )) as [Array<{ id: string }>, number];
    if (rows.length) {
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.SESSION_REVOKED,
          userId,
          ...by,
          data: { reason, sessionIds: rows.map((r) => r.id) },
        },
        m,
      );
    }
    return rows.length;
  }

  /**
   * Ends every live session of one user but `keepSessionId` (the user changed their second factor
   * from that session, v1.1 §8), in the caller's transaction; one event with their ids.
   */
  revokeOthersOfUser(
    tenantId: string,
    userId: string,
    keepSessionId: string,
    reason: SessionEndReason,
    by: RevokedBy,
    m: EntityManager,
  ): Promise<number> {
    return this.revokeAllOfUser(tenantId, userId, reason, by, m, keepSessionId);
  }

  /**
   * The tenant turned 2FA on: its sessions signed in with the password alone end (v1.1 §3), in
   * the caller's transaction; one event with their ids.
   */
  async revokePasswordOnly(tenantId: string, by: RevokedBy, m: EntityManager): Promise<number> {
    requireTenant(tenantId);
    const [rows] = (await m.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'policy', expires_at = now()
        WHERE tenant_id = $1 AND acr = 'pwd' AND expires_at > now()
        RETURNING id`,
      [tenantId],
    )) as [Array<{ id: string }>, number];
    if (rows.length) {
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.SESSION_REVOKED,
          ...by,
          data: { reason: 'policy', sessionIds: rows.map((r) => r.id) },
        },
        m,
      );
    }
    return rows.length;
  }

  /** Ends every live session of a tenant (the tenant was disabled); one event with the count. */
  async revokeAllOfTenant(
    tenantId: string,
    reason: SessionEndReason,
    by: RevokedBy,
    m: EntityManager,
  ): Promise<number> {
    requireTenant(tenantId);
    const [, count] = (await m.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2, expires_at = now()
        WHERE tenant_id = $1 AND expires_at > now()`,
      [tenantId, reason],
    )) as [unknown[], number];
    if (count) {
      await this.audit.record(
        tenantId,
        { type: AuditEventType.SESSION_REVOKED, ...by, data: { reason, sessions: count } },
        m,
      );
    }
    return count;
  }
}
