import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remembered devices (API.md v1.1 §7): sessions' table of devices (keyed token hashes only), the
 * tenant's switch and days, and the sign-in's device token (sealed) from login to verify.
 */
export class RememberedDevices1796500000000 implements MigrationInterface {
  name = 'RememberedDevices1796500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        name varchar(64) NOT NULL,
        remembered_until timestamptz NULL,
        password_version integer NULL,
        two_factor_version integer NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        last_ip varchar(64) NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT devices_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT devices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query('CREATE UNIQUE INDEX devices_token_hash_key ON devices (token_hash)');
    await q.query('CREATE INDEX devices_user_idx ON devices (tenant_id, user_id)');
    await q.query(
      'ALTER TABLE tenant_2fa_settings ADD COLUMN remember_device_enabled boolean NOT NULL DEFAULT false',
    );
    await q.query(
      'ALTER TABLE tenant_2fa_settings ADD COLUMN remember_device_days smallint NOT NULL DEFAULT 30',
    );
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN device_token text NULL');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN device_token');
    await q.query('ALTER TABLE tenant_2fa_settings DROP COLUMN remember_device_days');
    await q.query('ALTER TABLE tenant_2fa_settings DROP COLUMN remember_device_enabled');
    await q.query('DROP TABLE devices');
  }
}
