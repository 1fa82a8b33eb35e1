import sql, { Sql } from 'sql-template-tag';
import { LOCKOUT_CEILING, Verdict, VerifyOutcome } from './otp.types';

/** What the judging part of a verify statement needs; the code is already hashed or checked. */
export interface JudgeParams {
  tenantId: string;
  userId: string;
  signInId: string;
  purpose: 'login' | 'register';
  /** Code channels: the keyed hash of what was typed. */
  codeHash: Buffer | null;
  /** App channels: the time step the typed code is valid for (null: valid for none). */
  step: number | null;
  lockoutMaxConsecutiveFailures: number;
  lockoutDurationSeconds: number;
}

/**
 * The second factor judged and counted, as CTEs for one statement (otp's tables only). The caller
 * appends what a success does besides (the sign-in spent, a session opened) and writes
 * `sf_events`; everything then commits together or not at all (API.md v1.1 §1).
 *
 * - `sf_state` and `sf_cur` take the account's row and the sign-in's current challenge under row
 *   locks, so verifies of one sign-in or one account, on any number of instances, are judged one
 *   after the other: at most `maxAttempts` of any number of parallel wrong codes are judged.
 * - `sf_hit` finds which of the user's codes was typed, so a code of another sign-in
 *   (`other_sign_in`) or one a newer code replaced (`superseded`) is told apart from a wrong one
 *   and does not count; only a code that matches none counts (`wrong`).
 * - A success uses the challenge and clears the account's count, lock and cooldown; a wrong code
 *   counts on the challenge and the account, which locks at the threshold and, at the ceiling,
 *   with no end (`locked_indefinitely`).
 */
export function judgeSecondFactor(p: JudgeParams): Sql {
  const step = sql`${p.step}::bigint`;
  return sql`
sf_state AS (
  SELECT consecutive_failures, locked_until, locked_indefinitely, last_totp_step
    FROM two_factor_state WHERE user_id = ${p.userId} AND tenant_id = ${p.tenantId}
     FOR UPDATE
), sf_cur AS (
  SELECT id, status, expires_at, attempts, max_attempts, destination FROM otp_challenges
   WHERE tenant_id = ${p.tenantId} AND user_id = ${p.userId} AND purpose = ${p.purpose}
     AND announced_to = ${p.signInId} AND status <> 'failed'
   ORDER BY created_at DESC, id DESC LIMIT 1
     FOR UPDATE
), sf_hit AS (
  SELECT id, status, announced_to FROM otp_challenges
   WHERE tenant_id = ${p.tenantId} AND user_id = ${p.userId} AND purpose = ${p.purpose}
     AND code_hash = ${p.codeHash}::bytea AND status <> 'failed'
   ORDER BY created_at DESC, id DESC LIMIT 1
), sf_judged AS (
  SELECT c.id AS challenge_id, c.destination, CASE
    WHEN s.locked_indefinitely OR s.locked_until > now() THEN 'locked'
    WHEN c.id IS NULL AND h.id IS NULL THEN 'no_code'
    WHEN c.status = 'dead' OR c.attempts >= c.max_attempts THEN 'attempts_exceeded'
    WHEN h.id IS NOT NULL AND h.id IS DISTINCT FROM c.id THEN CASE
      WHEN h.status = 'superseded' THEN 'superseded'
      WHEN h.announced_to IS DISTINCT FROM ${p.signInId}::uuid THEN 'other_sign_in'
      WHEN h.status = 'used' THEN 'used'
      ELSE 'superseded' END
    WHEN h.id IS NOT NULL AND c.status IN ('used', 'superseded') THEN c.status
    WHEN c.status = 'live' AND c.expires_at <= now() THEN 'expired'
    WHEN h.id IS NOT NULL AND c.status = 'live' THEN 'ok'
    WHEN ${step} IS NOT NULL AND c.status = 'live'
         AND (s.last_totp_step IS NULL OR s.last_totp_step < ${step}) THEN 'ok'
    WHEN ${step} IS NOT NULL AND c.status = 'live' THEN 'replay'
    ELSE 'wrong' END AS outcome
  FROM (SELECT 1) one LEFT JOIN sf_state s ON true LEFT JOIN sf_cur c ON true
       LEFT JOIN sf_hit h ON true
), sf_counted AS (
  UPDATE otp_challenges o SET
    status = CASE WHEN j.outcome = 'ok' THEN 'used'
                  WHEN o.status = 'live' AND o.attempts + 1 >= o.max_attempts THEN 'dead'
                  ELSE o.status END,
    attempts = o.attempts + CASE WHEN j.outcome = 'ok' THEN 0 ELSE 1 END,
    used_at = CASE WHEN j.outcome = 'ok' THEN now() ELSE o.used_at END
    FROM sf_judged j
   WHERE o.id = j.challenge_id AND j.outcome IN ('ok', 'wrong', 'replay')
  RETURNING o.status
), sf_account AS (
  UPDATE two_factor_state s SET
    consecutive_failures = CASE WHEN j.outcome = 'ok' THEN 0 ELSE s.consecutive_failures + 1 END,
    locked_until = CASE
      WHEN j.outcome = 'ok' THEN NULL
      WHEN s.consecutive_failures + 1 >= ${p.lockoutMaxConsecutiveFailures}::int
        THEN now() + make_interval(secs => ${p.lockoutDurationSeconds}::int)
      ELSE s.locked_until END,
    locked_indefinitely = j.outcome <> 'ok' AND s.consecutive_failures + 1 >= ${LOCKOUT_CEILING}::int,
    -- A success ends the cooldown: the next sign-in gets a fresh code at once (rule 4).
    last_delivery_at = CASE WHEN j.outcome = 'ok' THEN NULL ELSE s.last_delivery_at END,
    last_totp_step = CASE WHEN j.outcome = 'ok' THEN COALESCE(${step}, s.last_totp_step)
                          ELSE s.last_totp_step END
    FROM sf_judged j
   WHERE s.user_id = ${p.userId} AND j.outcome IN ('ok', 'wrong', 'replay', 'no_code')
  RETURNING s.consecutive_failures, s.locked_until, s.locked_indefinitely
), sf_verdict AS (
  SELECT j.outcome, j.challenge_id, j.destination,
    j.outcome <> 'ok' AND COALESCE((SELECT status FROM sf_counted) = 'dead', false) AS exhausted,
    COALESCE((SELECT consecutive_failures FROM sf_account),
             (SELECT consecutive_failures FROM sf_state), 0) AS consecutive_failures,
    CASE WHEN EXISTS (SELECT 1 FROM sf_account) THEN (SELECT locked_until FROM sf_account)
         ELSE (SELECT locked_until FROM sf_state) END AS locked_until,
    COALESCE((SELECT locked_indefinitely FROM sf_account),
             (SELECT locked_indefinitely FROM sf_state), false) AS locked_indefinitely,
    j.outcome <> 'locked' AND COALESCE((SELECT locked_indefinitely OR locked_until > now()
                                          FROM sf_account), false) AS locked_now
  FROM sf_judged j
), sf_events AS (
  -- What an admin reads in the audit log for each verdict: the one mapping of outcomes to events.
  SELECT e.ord, e.type, e.data FROM sf_verdict v CROSS JOIN LATERAL (VALUES
    (1, 'OTP_VERIFIED', v.outcome = 'ok', jsonb_build_object('challengeId', v.challenge_id)),
    (2, 'OTP_EXPIRED', v.outcome = 'expired', jsonb_build_object('challengeId', v.challenge_id)),
    (3, 'OTP_FAILED', v.outcome NOT IN ('ok', 'expired', 'attempts_exceeded'),
        jsonb_build_object('reason', v.outcome, 'challengeId', v.challenge_id,
                           'consecutiveFailures', v.consecutive_failures)),
    (4, 'OTP_ATTEMPTS_EXCEEDED', v.outcome = 'attempts_exceeded' OR v.exhausted,
        jsonb_build_object('challengeId', v.challenge_id)),
    (5, 'TWO_FACTOR_LOCKED', v.locked_now,
        jsonb_build_object('until', v.locked_until, 'indefinitely', v.locked_indefinitely,
                           'consecutiveFailures', v.consecutive_failures))
  ) e(ord, type, applies, data)
  WHERE e.applies
)`;
}

/** The columns of `sf_verdict`, as the statement returns them. */
export interface VerdictRow {
  outcome: VerifyOutcome;
  challenge_id: string | null;
  destination: string | null;
  exhausted: boolean;
  consecutive_failures: number;
  locked_until: Date | null;
  locked_indefinitely: boolean;
  locked_now: boolean;
}

export function verdictOf(row: VerdictRow): Verdict {
  return {
    outcome: row.outcome,
    challengeId: row.challenge_id,
    destination: row.destination,
    exhausted: row.exhausted,
    consecutiveFailures: row.consecutive_failures,
    lockedUntil: row.locked_indefinitely ? null : row.locked_until,
    lockedIndefinitely: row.locked_indefinitely,
    lockedNow: row.locked_now,
  };
}
