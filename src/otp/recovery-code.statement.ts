import sql, { Sql } from 'sql-template-tag';
import { LOCKOUT_CEILING } from './otp.types';
import { VerdictRow } from './second-factor.statement';

/** What the judging part of a verify statement needs for a recovery code (already hashed). */
export interface RecoveryJudgeParams {
  tenantId: string;
  userId: string;
  signInId: string;
  /** The purpose of the sign-in's challenges a wrong code counts on (a proof's are `login`). */
  purpose: 'login' | 'register';
  /** The keyed hash of the normalised code; null: not a well-formed code (wrong). */
  codeHash: Buffer | null;
  lockoutMaxConsecutiveFailures: number;
  lockoutDurationSeconds: number;
}

/**
 * A recovery code judged and counted (API.md v1.1 §6), as CTEs with the names and columns of
 * `judgeSecondFactor`, so a verify composes either one the same way (`sf_verdict`, `sf_events`).
 *
 * - `sf_state` takes the account's row under a row lock; `sf_hit` finds the code among the user's
 *   unused ones under a row lock and `sf_used` uses it up: of parallel uses of one code, the
 *   later ones wait and then find it used (a wrong code), so exactly one succeeds.
 * - Accepted while the account is locked (timed or indefinite): a success clears the count, the
 *   lock and the cooldown. A wrong code counts on the account (which locks at the threshold and at
 *   the ceiling with no end) and on the sign-in's current challenge, if it has one.
 */
export function judgeRecoveryCode(p: RecoveryJudgeParams): Sql {
  return sql`
sf_state AS (
  SELECT consecutive_failures, locked_until, locked_indefinitely
    FROM two_factor_state WHERE user_id = ${p.userId} AND tenant_id = ${p.tenantId}
     FOR UPDATE
), sf_cur AS (
  SELECT id, status, attempts, max_attempts, destination FROM otp_challenges
   WHERE tenant_id = ${p.tenantId} AND user_id = ${p.userId} AND purpose = ${p.purpose}
     AND announced_to = ${p.signInId} AND status <> 'failed'
   ORDER BY created_at DESC, id DESC LIMIT 1
     FOR UPDATE
), sf_hit AS (
  SELECT id FROM recovery_codes
   WHERE tenant_id = ${p.tenantId} AND user_id = ${p.userId}
     AND code_hash = ${p.codeHash}::bytea AND used_at IS NULL
   LIMIT 1
     FOR UPDATE
), sf_left AS (
  SELECT count(*)::int AS n FROM (
    SELECT 1 FROM recovery_codes
     WHERE tenant_id = ${p.tenantId} AND user_id = ${p.userId} AND used_at IS NULL
       FOR UPDATE) unused
), sf_judged AS (
  SELECT c.id AS challenge_id, h.id AS code_id,
    COALESCE(s.locked_indefinitely OR s.locked_until > now(), false) AS was_locked,
    CASE WHEN h.id IS NOT NULL THEN 'ok' ELSE 'wrong' END AS outcome
  FROM (SELECT 1) one LEFT JOIN sf_state s ON true LEFT JOIN sf_cur c ON true
       LEFT JOIN sf_hit h ON true
), sf_used AS (
  UPDATE recovery_codes r SET used_at = now() FROM sf_judged j
   WHERE r.id = j.code_id AND j.outcome = 'ok'
  RETURNING r.id
), sf_counted AS (
  UPDATE otp_challenges o SET
    status = CASE WHEN o.status = 'live' AND o.attempts + 1 >= o.max_attempts THEN 'dead'
                  ELSE o.status END,
    attempts = o.attempts + 1
    FROM sf_judged j
   WHERE o.id = j.challenge_id AND j.outcome = 'wrong'
  RETURNING o.status
), sf_account AS (
  UPDATE two_factor_state s SET
    consecutive_failures = CASE WHEN j.outcome = 'ok' THEN 0 ELSE s.consecutive_failures + 1 END,
    locked_until = CASE
      WHEN j.outcome = 'ok' THEN NULL
      WHEN s.consecutive_failures + 1 >= ${p.lockoutMaxConsecutiveFailures}::int
        THEN GREATEST(s.locked_until, now() + make_interval(secs => ${p.lockoutDurationSeconds}::int))
      ELSE s.locked_until END,
    locked_indefinitely = j.outcome <> 'ok'
      AND (s.locked_indefinitely OR s.consecutive_failures + 1 >= ${LOCKOUT_CEILING}::int),
    last_delivery_at = CASE WHEN j.outcome = 'ok' THEN NULL ELSE s.last_delivery_at END
    FROM sf_judged j
   WHERE s.user_id = ${p.userId} AND s.tenant_id = ${p.tenantId}
  RETURNING s.consecutive_failures, s.locked_until, s.locked_indefinitely
), sf_verdict AS (
  SELECT j.outcome, j.challenge_id, NULL::varchar AS destination,
    j.outcome <> 'ok' AND COALESCE((SELECT status FROM sf_counted) = 'dead', false) AS exhausted,
    COALESCE((SELECT consecutive_failures FROM sf_account),
             (SELECT consecutive_failures FROM sf_state), 0) AS consecutive_failures,
    CASE WHEN EXISTS (SELECT 1 FROM sf_account) THEN (SELECT locked_until FROM sf_account)
         ELSE (SELECT locked_until FROM sf_state) END AS locked_until,
    COALESCE((SELECT locked_indefinitely FROM sf_account),
             (SELECT locked_indefinitely FROM sf_state), false) AS locked_indefinitely,
    NOT j.was_locked AND COALESCE((SELECT locked_indefinitely OR locked_until > now()
                                     FROM sf_account), false) AS locked_now,
    (SELECT n FROM sf_left) - (SELECT count(*) FROM sf_used)::int AS remaining
  FROM sf_judged j
), sf_events AS (
  -- What an admin reads in the audit log for each verdict: never the code.
  SELECT e.ord, e.type, e.data FROM sf_verdict v CROSS JOIN LATERAL (VALUES
    (1, 'RECOVERY_CODE_USED', v.outcome = 'ok', jsonb_build_object('remaining', v.remaining)),
    (3, 'OTP_FAILED', v.outcome = 'wrong',
        jsonb_build_object('reason', 'wrong', 'factor', 'recovery_code',
                           'challengeId', v.challenge_id,
                           'consecutiveFailures', v.consecutive_failures)),
    (4, 'OTP_ATTEMPTS_EXCEEDED', v.exhausted, jsonb_build_object('challengeId', v.challenge_id)),
    (5, 'TWO_FACTOR_LOCKED', v.locked_now,
        jsonb_build_object('until', v.locked_until, 'indefinitely', v.locked_indefinitely,
                           'consecutiveFailures', v.consecutive_failures))
  ) e(ord, type, applies, data)
  WHERE e.applies
)`;
}

/** The columns of a recovery code's `sf_verdict`. */
export interface RecoveryVerdictRow extends VerdictRow {
  remaining: number;
}
