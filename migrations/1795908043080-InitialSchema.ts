import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, their 2FA settings row, users and the audit log. */
export class InitialSchema1795908043080 implements MigrationInterface {
  name = 'InitialSchema1795908043080';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug varchar(63) NOT NULL,
        name varchar(200) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_slug_key UNIQUE (slug)
      )`);
    await q.query(`
      CREATE TABLE tenant_2fa_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        enabled boolean NOT NULL DEFAULT false,
        channel_id uuid NULL,
        otp_length smallint NOT NULL DEFAULT 6 CHECK (otp_length BETWEEN 6 AND 10),
        otp_ttl_seconds integer NOT NULL DEFAULT 300 CHECK (otp_ttl_seconds BETWEEN 30 AND 600),
        resend_cooldown_seconds integer NOT NULL DEFAULT 60 CHECK (resend_cooldown_seconds BETWEEN 0 AND 3600),
        max_attempts smallint NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 20),
        max_resends_per_login smallint NOT NULL DEFAULT 5 CHECK (max_resends_per_login BETWEEN 0 AND 20),
        lockout_max_failures smallint NOT NULL DEFAULT 50 CHECK (lockout_max_failures BETWEEN 10 AND 100),
        lockout_duration_seconds integer NOT NULL DEFAULT 900 CHECK (lockout_duration_seconds BETWEEN 60 AND 86400),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        username varchar(64) NOT NULL,
        display_name varchar(200) NULL,
        email varchar(254) NULL,
        roles text[] NOT NULL DEFAULT '{}',
        disabled boolean NOT NULL DEFAULT false,
        password_hash varchar(255) NOT NULL,
        password_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Case-insensitive uniqueness per tenant; also serves login lookups and the ordered listing.
    await q.query(
      'CREATE UNIQUE INDEX users_tenant_username_key ON users (tenant_id, lower(username))',
    );
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type varchar(40) NOT NULL,
        user_id uuid NULL,
        actor_type varchar(16) NOT NULL CHECK (actor_type IN ('user', 'platform')),
        actor_id uuid NULL,
        ip varchar(64) NULL,
        user_agent varchar(512) NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_events_seq_key UNIQUE (seq)
      )`);
    await q.query('CREATE INDEX audit_events_tenant_seq_idx ON audit_events (tenant_id, seq DESC)');
    await q.query(
      'CREATE INDEX audit_events_tenant_user_seq_idx ON audit_events (tenant_id, user_id, seq DESC)',
    );
    await q.query('CREATE INDEX audit_events_created_at_idx ON audit_events (created_at)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
    await q.query('DROP TABLE users');
    await q.query('DROP TABLE tenant_2fa_settings');
    await q.query('DROP TABLE tenants');
  }
}
