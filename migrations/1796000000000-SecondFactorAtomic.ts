import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The second factor as one atomic step (API.md v1.1 §1, §2):
 * - a code belongs to the sign-in it was last announced to (`announced_to`);
 * - an authenticator sign-in has a challenge too (no code, no address): its attempts are the
 *   per-sign-in limit, counted where email codes count theirs;
 * - the lockout ceiling locks with no end (`locked_indefinitely`);
 * - codes sent and wrong tries per sign-in are counted by otp from its challenges, so the
 *   counters on mfa_sessions go.
 */
export class SecondFactorAtomic1796000000000 implements MigrationInterface {
  name = 'SecondFactorAtomic1796000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE otp_challenges ADD COLUMN announced_to uuid NULL');
    await q.query('UPDATE otp_challenges SET announced_to = mfa_session_id');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN destination DROP NOT NULL');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN destination_key DROP NOT NULL');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN code_hash DROP NOT NULL');
    await q.query(
      'CREATE INDEX otp_challenges_announced_to_idx ON otp_challenges (announced_to, created_at DESC)',
    );
    await q.query('CREATE INDEX otp_challenges_mfa_session_idx ON otp_challenges (mfa_session_id)');
    await q.query(
      'ALTER TABLE two_factor_state ADD COLUMN locked_indefinitely boolean NOT NULL DEFAULT false',
    );
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN codes_sent');
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN wrong_tries');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN wrong_tries integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN codes_sent integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE two_factor_state DROP COLUMN locked_indefinitely');
    await q.query('DROP INDEX otp_challenges_mfa_session_idx');
    await q.query('DROP INDEX otp_challenges_announced_to_idx');
    await q.query('DELETE FROM otp_challenges WHERE code_hash IS NULL OR destination IS NULL');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN code_hash SET NOT NULL');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN destination_key SET NOT NULL');
    await q.query('ALTER TABLE otp_challenges ALTER COLUMN destination SET NOT NULL');
    await q.query('ALTER TABLE otp_challenges DROP COLUMN announced_to');
  }
}
