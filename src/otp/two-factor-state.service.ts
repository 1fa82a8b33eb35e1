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

/** The per-account lock and failure count (rule 6), and their admin reset. */
@Injectable()
export class TwoFactorStateService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the user's state row if missing (the hot paths then only update it). */
  async ensure(tenantId: string, userId: string): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.query(
      `INSERT INTO two_factor_state (user_id, tenant_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`,
      [userId, tenantId],
    );
  }

  /** 429 TWO_FACTOR_LOCKED while the account's 2FA step is locked. */
  async assertNotLocked(tenantId: string, userId: string): Promise<void> {
    const lockedUntil = (await this.of(tenantId, [userId])).get(userId)?.lockedUntil;
    if (lockedUntil && lockedUntil.getTime() > Date.now()) throw lockedError(lockedUntil);
  }

  async of(tenantId: string, userIds: string[]): Promise<Map<string, TwoFactorStateView>> {
    requireTenant(tenantId);
    if (userIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT user_id, consecutive_failures, locked_until FROM two_factor_state
        WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])`,
      [tenantId, userIds],
    )) as Array<{ user_id: string; consecutive_failures: number; locked_until: Date | null }>;
    return new Map(
      rows.map((r) => [
        r.user_id,
        { consecutiveFailures: r.consecutive_failures, lockedUntil: r.locked_until },
      ]),
    );
  }

  /**
   * A wrong code of an app channel: counts toward the account lock (rule 6, as for email) and
   * locks at the threshold. Returns the lock when this failure set it.
   */
  async recordFailure(
    tenantId: string,
    userId: string,
    policy: { lockoutMaxConsecutiveFailures: number; lockoutDurationSeconds: number },
  ): Promise<{ consecutiveFailures: number; lockedNow: Date | null }> {
    requireTenant(tenantId);
    const [rows] = (await this.dataSource.query(
      `UPDATE two_factor_state SET
         consecutive_failures = consecutive_failures + 1,
         locked_until = CASE WHEN consecutive_failures + 1 >= $3
                             THEN now() + make_interval(secs => $4) ELSE locked_until END
        WHERE tenant_id = $1 AND user_id = $2
        RETURNING consecutive_failures, locked_until, consecutive_failures >= $3 AS locked`,
      [tenantId, userId, policy.lockoutMaxConsecutiveFailures, policy.lockoutDurationSeconds],
    )) as [
      Array<{ consecutive_failures: number; locked_until: Date | null; locked: boolean }>,
      number,
    ];
    const row = rows[0];
    return {
      consecutiveFailures: row?.consecutive_failures ?? 0,
      lockedNow: row?.locked ? row.locked_until : null,
    };
  }

  /**
   * An app code was valid for `step`: accepted only if no later or equal step was (no replay, also
   * for two concurrent requests: one row, one winner) and the account is not locked. A success
   * clears the failure count.
   */
  async acceptStep(tenantId: string, userId: string, step: number): Promise<boolean> {
    requireTenant(tenantId);
    const [rows] = (await this.dataSource.query(
      `UPDATE two_factor_state
          SET last_totp_step = $3, consecutive_failures = 0, locked_until = NULL
        WHERE tenant_id = $1 AND user_id = $2
          AND (last_totp_step IS NULL OR last_totp_step < $3)
          AND (locked_until IS NULL OR locked_until <= now())
        RETURNING user_id`,
      [tenantId, userId, step],
    )) as [unknown[], number];
    return rows.length === 1;
  }

  /** Admin unlock: clears the lock and the failure count. True when there was anything to clear. */
  async unlock(tenantId: string, userId: string, m?: EntityManager): Promise<boolean> {
    requireTenant(tenantId);
    const runner = m ?? this.dataSource.manager;
    const result = (await runner.query(
      `UPDATE two_factor_state SET consecutive_failures = 0, locked_until = NULL
        WHERE tenant_id = $1 AND user_id = $2 AND (consecutive_failures > 0 OR locked_until IS NOT NULL)`,
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

export function lockedError(lockedUntil: Date): AppException {
  return new AppException(ErrorCode.TWO_FACTOR_LOCKED, {
    retryAfterSeconds: secondsUntil(lockedUntil),
  });
}
