import { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels, 2FA registrations, one-time-code challenges, per-user 2FA state, mfa sessions. */
export class TwoFactor1795910007596 implements MigrationInterface {
  name = 'TwoFactor1795910007596';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        type varchar(32) NOT NULL,
        name varchar(200) NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        active boolean NOT NULL DEFAULT false,
        config jsonb NOT NULL DEFAULT '{}',
        secrets text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT channels_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT channels_active_enabled_check CHECK (NOT active OR enabled)
      )`);
    // One active channel per tenant, enforced by the database.
    await q.query(
      'CREATE UNIQUE INDEX channels_one_active_key ON channels (tenant_id) WHERE active',
    );
    await q.query('CREATE INDEX channels_tenant_created_idx ON channels (tenant_id, created_at)');
    await q.query(`
      ALTER TABLE tenant_2fa_settings ADD CONSTRAINT tenant_2fa_settings_channel_id_fkey
        FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE RESTRICT`);

    await q.query('ALTER TABLE users ADD COLUMN two_factor_version integer NOT NULL DEFAULT 1');
    await q.query(`
      CREATE TABLE user_2fa (
        user_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        channel_type varchar(32) NOT NULL,
        destination varchar(254) NULL,
        secret text NULL,
        confirmed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_2fa_pkey PRIMARY KEY (user_id, channel_type),
        CONSTRAINT user_2fa_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT user_2fa_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE
      )`);
    // sharedEmail: users of a tenant with the same 2FA address, compared case-insensitively.
    await q.query(`
      CREATE INDEX user_2fa_destination_idx ON user_2fa (tenant_id, channel_type, lower(destination))
        WHERE destination IS NOT NULL`);

    await q.query(`
      CREATE TABLE otp_challenges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        mfa_session_id uuid NULL,
        purpose varchar(16) NOT NULL,
        channel_type varchar(32) NOT NULL,
        destination varchar(254) NOT NULL,
        destination_key varchar(254) NOT NULL,
        code_hash bytea NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'live',
        attempts smallint NOT NULL DEFAULT 0,
        max_attempts smallint NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        used_at timestamptz NULL,
        CONSTRAINT otp_challenges_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT otp_challenges_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT otp_challenges_purpose_check CHECK (purpose IN ('login', 'register')),
        CONSTRAINT otp_challenges_status_check CHECK (status IN ('live', 'used', 'superseded', 'dead', 'failed'))
      )`);
    // Rule 3: at most one live login code per (tenant, address), whichever user asked for it.
    await q.query(`
      CREATE UNIQUE INDEX otp_challenges_one_live_login_key ON otp_challenges (tenant_id, destination_key)
        WHERE status = 'live' AND purpose = 'login'`);
    await q.query(
      'CREATE INDEX otp_challenges_user_newest_idx ON otp_challenges (user_id, purpose, created_at DESC)',
    );
    await q.query('CREATE INDEX otp_challenges_expires_at_idx ON otp_challenges (expires_at)');

    await q.query(`
      CREATE TABLE two_factor_state (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        locked_until timestamptz NULL,
        last_delivery_at timestamptz NULL,
        last_totp_step bigint NULL,
        CONSTRAINT two_factor_state_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT two_factor_state_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE mfa_sessions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        purpose varchar(16) NOT NULL,
        channel_id uuid NOT NULL,
        channel_type varchar(32) NOT NULL,
        password_version integer NOT NULL,
        two_factor_version integer NOT NULL,
        policy jsonb NOT NULL,
        codes_sent integer NOT NULL DEFAULT 0,
        wrong_tries integer NOT NULL DEFAULT 0,
        ip varchar(64) NULL,
        user_agent varchar(512) NULL,
        expires_at timestamptz NOT NULL,
        spent_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mfa_sessions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE,
        CONSTRAINT mfa_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT mfa_sessions_purpose_check CHECK (purpose IN ('login', 'register'))
      )`);
    await q.query('CREATE INDEX mfa_sessions_expires_at_idx ON mfa_sessions (expires_at)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mfa_sessions');
    await q.query('DROP TABLE two_factor_state');
    await q.query('DROP TABLE otp_challenges');
    await q.query('DROP TABLE user_2fa');
    await q.query('ALTER TABLE users DROP COLUMN two_factor_version');
    await q.query(
      'ALTER TABLE tenant_2fa_settings DROP CONSTRAINT tenant_2fa_settings_channel_id_fkey',
    );
    await q.query('DROP TABLE channels');
  }
}
