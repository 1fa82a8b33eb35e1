import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import sql, { raw, Sql } from 'sql-template-tag';
import { DataSource, EntityManager } from 'typeorm';
import { cryptoConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { requireTenant } from '../database/query-guards';

/** Who revokes devices, for the DEVICE_REVOKED event. */
export type RevokedBy = Pick<AuditEntry, 'actor' | 'ip' | 'userAgent'>;

/** 32 random bytes, base64url: the only form a device token has. */
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Why devices stopped being remembered (`data.reason` of DEVICE_REVOKED). */
export type DeviceRevokeReason =
  'user' | 'admin' | 'user_disabled' | 'two_factor_changed' | 'password_changed';

/** The user's state a remembered device must still match (v1.1 §7), known to the caller. */
export interface RememberedAgainst {
  passwordVersion: number;
  twoFactorVersion: number;
  /** The user is enabled and the tenant's `rememberDevice.enabled` is on. */
  allowed: boolean;
}

/** What a sign-in does with the device of its answer. */
export interface DeviceUse {
  tenantId: string;
  userId: string;
  /** The token the client sent (kept when it is a live device of this user), or null. */
  given: string | null;
  /** The browser summarised ("Chrome 131 on Windows"). */
  name: string;
  ip: string | null;
  /** Remember it for the tenant's days, if the tenant allows (pinning these versions). */
  remember: { passwordVersion: number; twoFactorVersion: number } | null;
}

/** A device as the device lists show it (API.md v1.1 §7). */
export interface DeviceView {
  id: string;
  name: string;
  remembered: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string | null;
  lastIp: string | null;
}

/** The device found for a login's token: a live device of that user, maybe remembered. */
export interface KnownDevice {
  id: string;
  remembered: boolean;
}

interface DeviceRow {
  id: string;
  name: string;
  remembered: boolean;
  created_at: Date;
  last_used_at: Date;
  remembered_until: Date | null;
  last_ip: string | null;
}

/**
 * Remembered devices (API.md v1.1 §7): one row per browser, its token (256 bits) stored as a
 * keyed hash. A device is remembered while `remembered_until` is ahead, it is not revoked, and the
 * user's password and 2FA versions are those pinned when it was remembered, the user enabled and
 * the tenant's switch on: those are compared at every lookup, so a password change, a new or
 * reset registration, a disabled user or the switch turned off end it at once without a write.
 * Explicit revocations (the user, an admin, other modules) set `revoked_at` and write
 * DEVICE_REVOKED.
 */
@Injectable()
export class RememberedDevices {
  private readonly tokenKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
    private readonly audit: AuditService,
  ) {
    // A key of its own, derived from OTP_HASH_KEY: a device-token hash is never another hash.
    this.tokenKey = createHmac('sha256', crypto.otpHashKey)
      .update('efcx device-token hash v1')
      .digest();
  }

  /** The keyed hash of a well-formed token; null for anything else (never a match). */
  hashOf(token: string | null | undefined): Buffer | null {
    if (typeof token !== 'string' || !DEVICE_TOKEN.test(token)) return null;
    return createHmac('sha256', this.tokenKey).update(token, 'utf8').digest();
  }

  /**
   * The login's device, as a column `device` (jsonb `{ id, remembered }` or null) of the caller's
   * statement: one probe of the unique token index. `settingsAlias` names the caller's
   * tenant_2fa_settings row (the switch is read there, fresh).
   */
  lookupColumn(
    tenantId: string,
    userId: string,
    token: string | null | undefined,
    against: Omit<RememberedAgainst, 'allowed'>,
    settingsAlias: string,
  ): Sql {
    requireTenant(tenantId);
    const s = raw(settingsAlias);
    return sql`(SELECT jsonb_build_object('id', d.id, 'remembered',
                  COALESCE(d.remembered_until > now() AND ${s}.remember_device_enabled
                           AND d.password_version = ${against.passwordVersion}::int
                           AND d.two_factor_version = ${against.twoFactorVersion}::int, false))
                 FROM devices d
                WHERE d.token_hash = ${this.hashOf(token)}::bytea AND d.tenant_id = ${tenantId}::uuid
                  AND d.user_id = ${userId}::uuid AND d.revoked_at IS NULL) AS device`;
  }

  static knownFromRow(row: { device: KnownDevice | null }): KnownDevice | null {
    return row.device ?? null;
  }

  /**
   * The device of a sign-in's answer, as CTEs for the caller's statement, run for each row of the
   * CTE `after` (none: nothing happens): the given token's device when it is a live device of
   * this user (last use and address updated), else a new one. With `remember`, and the tenant's
   * switch on (read in the statement), it is remembered for the tenant's days. The CTE `device`
   * returns `id, kept, remembered_now, remembered_until`; the token of the answer is `token(kept)`.
   */
  using(d: DeviceUse, after: string): { ctes: Sql; token: (kept: boolean) => string } {
    requireTenant(d.tenantId);
    const fresh = randomBytes(32).toString('base64url');
    const givenHash = this.hashOf(d.given);
    const remember = d.remember !== null;
    const pv = d.remember?.passwordVersion ?? null;
    const tfv = d.remember?.twoFactorVersion ?? null;
    const name = d.name.slice(0, 64);
    const ip = d.ip?.slice(0, 64) ?? null;
    // Always one row (no settings row: nothing is remembered), so a device is always made.
    const ctes = sql`device_policy AS (
       SELECT COALESCE(${remember}::boolean AND s.remember_device_enabled, false) AS remembering,
              now() + make_interval(days => s.remember_device_days) AS until
         FROM (SELECT 1) one
         LEFT JOIN tenant_2fa_settings s ON s.tenant_id = ${d.tenantId}::uuid
     ), device_kept AS (
       UPDATE devices dv SET last_used_at = now(), last_ip = ${ip}, name = ${name},
              remembered_until = CASE WHEN p.remembering THEN p.until ELSE dv.remembered_until END,
              password_version = CASE WHEN p.remembering THEN ${pv}::int ELSE dv.password_version END,
              two_factor_version =
                CASE WHEN p.remembering THEN ${tfv}::int ELSE dv.two_factor_version END
         FROM device_policy p
        WHERE dv.token_hash = ${givenHash}::bytea AND dv.tenant_id = ${d.tenantId}::uuid
          AND dv.user_id = ${d.userId}::uuid AND dv.revoked_at IS NULL
          AND EXISTS (SELECT 1 FROM ${raw(after)})
       RETURNING dv.id, true AS kept, p.remembering AS remembered_now, dv.remembered_until
     ), device_new AS (
       INSERT INTO devices (id, tenant_id, user_id, token_hash, name, remembered_until,
                            password_version, two_factor_version, last_ip)
       SELECT ${randomUUID()}::uuid, ${d.tenantId}::uuid, ${d.userId}::uuid,
              ${this.hashOf(fresh)}::bytea, ${name},
              CASE WHEN p.remembering THEN p.until END,
              CASE WHEN p.remembering THEN ${pv}::int END,
              CASE WHEN p.remembering THEN ${tfv}::int END, ${ip}
         FROM device_policy p
        WHERE EXISTS (SELECT 1 FROM ${raw(after)}) AND NOT EXISTS (SELECT 1 FROM device_kept)
       RETURNING id, false AS kept, remembered_until IS NOT NULL AS remembered_now, remembered_until
     ), device AS (
       SELECT * FROM device_kept UNION ALL SELECT * FROM device_new
     )`;
    const given = d.given;
    return { ctes, token: (kept) => (kept && given ? given : fresh) };
  }

  /**
   * The audit row of a device remembered now, for the caller's events CTE (columns ord, type,
   * data): DEVICE_REMEMBERED with the device's id and end, never its token.
   */
  static rememberedEvent(ord: number): Sql {
    return sql`SELECT ${ord}::int, ${AuditEventType.DEVICE_REMEMBERED}::text,
                      jsonb_build_object('deviceId', id, 'rememberedUntil', remembered_until)
                 FROM device WHERE remembered_now`;
  }

  /**
   * A first registration bumped the user's 2FA version in the verify's transaction: the device
   * remembered by that verify follows it.
   */
  async followTwoFactorVersion(
    tenantId: string,
    deviceId: string,
    twoFactorVersion: number,
    m: EntityManager,
  ): Promise<void> {
    requireTenant(tenantId);
    await m.query(
      `UPDATE devices SET two_factor_version = $3
        WHERE tenant_id = $1 AND id = $2 AND remembered_until IS NOT NULL`,
      [tenantId, deviceId, twoFactorVersion],
    );
  }

  /** The live (unrevoked) devices of one user, newest use first. */
  async list(tenantId: string, userId: string, against: RememberedAgainst): Promise<DeviceView[]> {
    requireTenant(tenantId);
    const rows = (await this.dataSource.query(
      `SELECT id, name, created_at, last_used_at, last_ip, remembered_until,
              COALESCE(remembered_until > now() AND $3::boolean AND password_version = $4
                       AND two_factor_version = $5, false) AS remembered
         FROM devices
        WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL
        ORDER BY last_used_at DESC, id`,
      [tenantId, userId, against.allowed, against.passwordVersion, against.twoFactorVersion],
    )) as DeviceRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      remembered: r.remembered,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.remembered && r.remembered_until ? r.remembered_until.toISOString() : null,
      lastIp: r.last_ip,
    }));
  }

  /** Revokes one device of the user; false when there is no such live device (404 for callers). */
  async revoke(
    tenantId: string,
    userId: string,
    deviceId: string,
    reason: DeviceRevokeReason,
    by: RevokedBy,
  ): Promise<boolean> {
    requireTenant(tenantId);
    return this.dataSource.transaction(async (m) => {
      const [rows] = (await m.query(
        `UPDATE devices SET revoked_at = now()
          WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL
          RETURNING id`,
        [tenantId, userId, deviceId],
      )) as [Array<{ id: string }>, number];
      if (!rows.length) return false;
      await this.audit.record(
        tenantId,
        { type: AuditEventType.DEVICE_REVOKED, userId, ...by, data: { deviceId, reason } },
        m,
      );
      return true;
    });
  }

  /**
   * Revokes every device of one user (a new 2FA registration by self-service, v1.1 §8), in the
   * caller's transaction when given; one DEVICE_REVOKED with their ids. The number revoked.
   */
  async revokeAllForUser(
    tenantId: string,
    userId: string,
    reason: DeviceRevokeReason,
    by: RevokedBy,
    m?: EntityManager,
  ): Promise<number> {
    requireTenant(tenantId);
    const run = async (tx: EntityManager) => {
      const [rows] = (await tx.query(
        `UPDATE devices SET revoked_at = now()
          WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL
          RETURNING id`,
        [tenantId, userId],
      )) as [Array<{ id: string }>, number];
      if (rows.length)
        await this.audit.record(
          tenantId,
          {
            type: AuditEventType.DEVICE_REVOKED,
            userId,
            ...by,
            data: { reason, deviceIds: rows.map((r) => r.id) },
          },
          tx,
        );
      return rows.length;
    };
    return m ? run(m) : this.dataSource.transaction(run);
  }

  /**
   * v1.1 §9: the token is a live (unrevoked) device of that tenant and prepared username,
   * remembered or not. One statement; only asked while the account is throttled.
   */
  async belongsTo(tenantSlug: string, username: string, token: string): Promise<boolean> {
    const hash = this.hashOf(token);
    if (!hash) return false;
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM devices d
         JOIN tenants t ON t.id = d.tenant_id
         JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.user_id
        WHERE d.token_hash = $1 AND d.revoked_at IS NULL
          AND t.slug = lower($2) AND lower(u.username) = lower($3)`,
      [hash, tenantSlug, username],
    )) as unknown[];
    return rows.length === 1;
  }
}
