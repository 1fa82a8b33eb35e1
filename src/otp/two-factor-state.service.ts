import sql, { Sql } from 'sql-template-tag';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { requireTenant } from '../database/query-guards';
import { TwoFactorStateView } from './otp.types';

export function secondsUntil(at: Date, now = Date.now()): number {
  return Math.max(1, Math.ceil((at.getTime() - now) / 1000));
}

/** The per-account lock and failure count (rule 6, v1.1 §2), and their admin unlock and reset. */
@Injectable()
export class TwoFactorStateService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The user's state at the start of a sign-in, created if missing (the verify statement then
   * only updates it): one statement.
   */
  /**
   * For a caller's statement: CTE `sf_open` creates the user's state row when `when` holds (so
   * a verify has a row to count on), and the column `sf_lock` reads the lock (null: no row).
   */
  static opening(tenantId: string, userId: string, when: Sql): { cte: Sql; column: Sql } {
    return {
      cte: sql`sf_open AS (
        INSERT INTO two_factor_state (user_id, tenant_id)
        SELECT ${userId}::uuid, ${tenantId}::uuid WHERE ${when}
        ON CONFLICT (user_id) DO NOTHING
        RETURNING consecutive_failures, locked_until, locked_indefinitely)`,
      column: sql`(SELECT row_to_json(x) FROM (
          SELECT consecutive_failures, locked_until, locked_indefinitely FROM sf_open
          UNION ALL
          SELECT consecutive_failures, locked_until, locked_indefinitely FROM two_factor_state
           WHERE user_id = ${userId}::uuid AND tenant_id = ${tenantId}::uuid) x LIMIT 1) AS sf_lock`,
    };
  }

  /** The lock of `opening`'s column. */
  static lockFromRow(r: {
    sf_lock: {
      consecutive_failures: number;
      locked_until: string | null;
      locked_indefinitely: boolean;
    } | null;
  }): TwoFactorStateView {
    if (!r.sf_lock) return { consecutiveFailures: 0, lockedUntil: null, lockedIndefinitely: false };
    const s = r.sf_lock;
    return viewOf({ ...s, locked_until: s.locked_until ? new Date(s.locked_until) : null });
  }

  async open(tenantId: string, userId: string): Promise<TwoFactorStateView> {
    requireTenant(tenantId);
    const [row] = (await this.dataSource.query(
      `WITH created AS (
         INSERT INTO two_factor_state (user_id, tenant_id) VALUES ($1, $2)
         ON CONFLICT (user_id) DO NOTHING
         RETURNING consecutive_failures, locked_until, locked_indefinitely)
       SELECT * FROM created
       UNION ALL
       SELECT consecutive_failures, locked_until, locked_indefinitely FROM two_factor_state
        WHERE user_id = $1 AND tenant_id = $2`,
      [userId, tenantId],
    )) as StateRow[];
    return row
      ? viewOf(row)
      : { consecutiveFailures: 0, lockedUntil: null, lockedIndefinitely: false };
  }

  /** 429 TWO_FACTOR_LOCKED while the account's 2FA step is locked. */
  async assertNotLocked(tenantId: string, userId: string): Promise<void> {
    const state = (await this.of(tenantId, [userId])).get(userId);
    if (state && isLocked(state)) throw lockedError(state.lockedUntil);
  }

  async of(tenantId: string, userIds: string[]): Promise<Map<string, TwoFactorStateView>> {
    requireTenant(tenantId);
    if (userIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT user_id, consecutive_failures, locked_until, locked_indefinitely FROM two_factor_state
        WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])`,
      [tenantId, userIds],
    )) as Array<StateRow & { user_id: string }>;
    return new Map(rows.map((r) => [r.user_id, viewOf(r)]));
  }

  /** Admin unlock: clears the lock and the failure count. True when there was anything to clear. */
  async unlock(tenantId: string, userId: string, m?: EntityManager): Promise<boolean> {
    requireTenant(tenantId);
    const runner = m ?? this.dataSource.manager;
    const result = (await runner.query(
      `UPDATE two_factor_state
          SET consecutive_failures = 0, locked_until = NULL, locked_indefinitely = false
        WHERE tenant_id = $1 AND user_id = $2
          AND (consecutive_failures > 0 OR locked_until IS NOT NULL OR locked_indefinitely)`,
      [tenantId, userId],
    )) as [unknown[], number];
    return result[1] > 0;
  }

  /** Admin 2FA reset: forgets everything about the user's 2FA state, codes included. */
  async reset(tenantId: string, userId: string, m: EntityManager): Promise<void> {
    requireTenant(tenantId);
    await m.query(`DELETE FROM two_factor_state WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      userId,
    ]);
    await m.query(
      `UPDATE otp_challenges SET status = 'superseded' WHERE tenant_id = $1 AND user_id = $2 AND status = 'live'`,
      [tenantId, userId],
    );
  }
}

interface StateRow {
  consecutive_failures: number;
  locked_until: Date | null;
  locked_indefinitely: boolean;
}

function viewOf(r: StateRow): TwoFactorStateView {
  return {
    consecutiveFailures: r.consecutive_failures,
    // An indefinite lock has no end to show (v1.1 §2).
    lockedUntil: r.locked_indefinitely ? null : r.locked_until,
    lockedIndefinitely: r.locked_indefinitely,
  };
}

/** Locked now: with no end, or until a time still ahead. */
export function isLocked(s: TwoFactorStateView, now = Date.now()): boolean {
  return s.lockedIndefinitely || (s.lockedUntil !== null && s.lockedUntil.getTime() > now);
}

/** 429 TWO_FACTOR_LOCKED; an indefinite lock (`until` null) has no Retry-After (v1.1 §2). */
export function lockedError(lockedUntil: Date | null): AppException {
  return new AppException(
    ErrorCode.TWO_FACTOR_LOCKED,
    lockedUntil ? { retryAfterSeconds: secondsUntil(lockedUntil) } : {},
  );
}
