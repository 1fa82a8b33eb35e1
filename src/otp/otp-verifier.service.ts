import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cryptoConfig } from '../../config/app-config';
import { CodeHasher } from '../common/crypto/code-hasher';
import { requireTenant } from '../database/query-guards';
import type { ChallengePurpose } from './entities/otp-challenge.entity';
import { CodePolicy, VerifyOutcome, VerifyResult } from './otp.types';

/**
 * Rules 2, 5 and 6 in one statement: it takes the caller's newest challenge and the account state
 * under row locks, judges the code (lock, used, superseded, attempts, expiry, match), spends or
 * counts it, and updates the account's failure count and lock. Two verifies of one code, on any
 * number of instances, give exactly one `ok`.
 */
const VERIFY_SQL = `
WITH st AS (
  SELECT user_id, consecutive_failures, locked_until FROM two_factor_state
   WHERE user_id = $2 AND tenant_id = $1
   FOR UPDATE
), cur AS (
  SELECT id, status, expires_at, attempts, max_attempts, code_hash, destination
    FROM otp_challenges
   WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND status <> 'failed'
   ORDER BY created_at DESC, id DESC
   LIMIT 1
   FOR UPDATE
), judged AS (
  SELECT cur.id AS challenge_id, cur.destination, cur.code_hash = $4 AS matches,
    CASE
      WHEN st.locked_until > now() THEN 'locked'
      WHEN cur.id IS NULL THEN 'no_code'
      WHEN cur.status = 'used' THEN 'used'
      WHEN cur.status = 'superseded' THEN 'superseded'
      WHEN cur.status = 'dead' OR cur.attempts >= cur.max_attempts THEN 'attempts_exceeded'
      WHEN cur.expires_at <= now() THEN 'expired'
      WHEN cur.code_hash = $4 THEN 'ok'
      ELSE 'wrong'
    END AS outcome
  FROM (SELECT 1) one LEFT JOIN st ON true LEFT JOIN cur ON true
), ch AS (
  UPDATE otp_challenges o SET
    status = CASE
      WHEN j.outcome = 'ok' THEN 'used'
      WHEN o.attempts + 1 >= o.max_attempts THEN 'dead'
      ELSE o.status END,
    attempts = o.attempts + CASE WHEN j.outcome = 'wrong' THEN 1 ELSE 0 END,
    used_at = CASE WHEN j.outcome = 'ok' THEN now() ELSE o.used_at END
  FROM judged j
  WHERE o.id = j.challenge_id AND j.outcome IN ('ok', 'wrong')
  RETURNING o.status
), acct AS (
  UPDATE two_factor_state s SET
    consecutive_failures = CASE WHEN j.outcome = 'ok' THEN 0 ELSE s.consecutive_failures + 1 END,
    locked_until = CASE
      WHEN j.outcome = 'ok' THEN NULL
      WHEN s.consecutive_failures + 1 >= $5 THEN now() + make_interval(secs => $6)
      ELSE s.locked_until END,
    -- A success ends the cooldown: the next sign-in gets a fresh code at once (rule 4).
    last_delivery_at = CASE WHEN j.outcome = 'ok' THEN NULL ELSE s.last_delivery_at END
  FROM judged j
  -- A wrong code counts, whatever the state of the challenge; the right code sent again after
  -- its success (a double submit) or after it was superseded is no attack and does not count.
  WHERE s.user_id = $2 AND j.outcome NOT IN ('locked', 'expired')
    AND (j.outcome = 'ok' OR j.matches IS NOT TRUE)
  RETURNING s.consecutive_failures, s.locked_until
)
SELECT j.outcome, j.challenge_id, j.destination,
       (SELECT status FROM ch) AS challenge_status,
       (SELECT consecutive_failures FROM acct) AS consecutive_failures,
       (SELECT locked_until FROM acct) AS locked_until,
       (SELECT locked_until FROM st) AS locked_before,
       (SELECT consecutive_failures FROM st) AS failures_before
  FROM judged j`;

interface VerifyRow {
  outcome: VerifyOutcome;
  challenge_id: string | null;
  destination: string | null;
  challenge_status: string | null;
  consecutive_failures: number | null;
  locked_until: Date | null;
  locked_before: Date | null;
  failures_before: number | null;
}

@Injectable()
export class OtpVerifier {
  private readonly hasher: CodeHasher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
  ) {
    this.hasher = new CodeHasher(crypto.otpHashKey);
  }

  /**
   * Compares `code` with the caller's own newest challenge of `purpose`. Anything that is not the
   * exact code (other length, spaces, letters) is simply a wrong code: it counts.
   */
  async verify(
    tenantId: string,
    userId: string,
    purpose: ChallengePurpose,
    code: string,
    policy: Pick<CodePolicy, 'lockoutMaxConsecutiveFailures' | 'lockoutDurationSeconds'>,
  ): Promise<VerifyResult> {
    requireTenant(tenantId);
    const [row] = (await this.dataSource.query(VERIFY_SQL, [
      tenantId,
      userId,
      purpose,
      this.hasher.hash(userId, code),
      policy.lockoutMaxConsecutiveFailures,
      policy.lockoutDurationSeconds,
    ])) as VerifyRow[];
    const now = Date.now();
    const lockedNow =
      row.outcome !== 'ok' &&
      row.outcome !== 'locked' &&
      row.locked_until !== null &&
      row.locked_until.getTime() > now &&
      (row.locked_before === null || row.locked_before.getTime() <= now);
    return {
      outcome: row.outcome,
      challengeId: row.challenge_id,
      destination: row.destination,
      exhausted: row.outcome === 'wrong' && row.challenge_status === 'dead',
      consecutiveFailures: row.consecutive_failures ?? row.failures_before ?? 0,
      lockedUntil: row.outcome === 'locked' ? row.locked_before : row.locked_until,
      lockedNow,
    };
  }
}
