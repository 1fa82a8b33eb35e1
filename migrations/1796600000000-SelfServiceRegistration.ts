import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Self-service 2FA (API.md v1.1 §8): a pending registration is an mfa session (no mfa token)
 * bound to the refresh session that asked for it; the partial index finds a user's pending ones.
 */
export class SelfServiceRegistration1796600000000 implements MigrationInterface {
  name = 'SelfServiceRegistration1796600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN self_service_session_id uuid NULL');
    await q.query(
      `CREATE INDEX mfa_sessions_self_service_idx ON mfa_sessions (user_id)
        WHERE self_service_session_id IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX mfa_sessions_self_service_idx');
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN self_service_session_id');
  }
}
