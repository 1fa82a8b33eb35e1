import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recovery codes (API.md v1.1 §6): otp's table of single-use codes (keyed hashes only), the
 * tenant's switch, and the sign-in of a locked account that only a recovery code may finish.
 */
export class RecoveryCodes1796400000000 implements MigrationInterface {
  name = 'RecoveryCodes1796400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        code_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz NULL,
        CONSTRAINT recovery_codes_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id)');
    await q.query(
      'ALTER TABLE tenant_2fa_settings ADD COLUMN recovery_codes_enabled boolean NOT NULL DEFAULT true',
    );
    await q.query(
      'ALTER TABLE mfa_sessions ADD COLUMN recovery_only boolean NOT NULL DEFAULT false',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN recovery_only');
    await q.query('ALTER TABLE tenant_2fa_settings DROP COLUMN recovery_codes_enabled');
    await q.query('DROP TABLE recovery_codes');
  }
}
