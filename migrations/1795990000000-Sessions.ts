import { MigrationInterface, QueryRunner } from 'typeorm';

/** Refresh-token sessions: one row per sign-in, its refresh tokens by keyed hash. */
export class Sessions1795990000000 implements MigrationInterface {
  name = 'Sessions1795990000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sessions (
        id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        amr text[] NOT NULL,
        ip varchar(64),
        user_agent varchar(512),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_refreshed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason varchar(32),
        CONSTRAINT sessions_pkey PRIMARY KEY (id),
        CONSTRAINT sessions_tenant_id_fkey FOREIGN KEY (tenant_id)
          REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id)');
    await q.query('CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)');
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea NOT NULL,
        session_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        CONSTRAINT refresh_tokens_pkey PRIMARY KEY (token_hash),
        CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id)
          REFERENCES sessions (id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)');
    await q.query(
      'CREATE UNIQUE INDEX refresh_tokens_live_idx ON refresh_tokens (session_id) WHERE used_at IS NULL',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE refresh_tokens');
    await q.query('DROP TABLE sessions');
  }
}
