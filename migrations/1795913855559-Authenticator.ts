import { MigrationInterface, QueryRunner } from 'typeorm';

/** Authenticator apps: the enrolled TOTP parameters of a registration, and a sign-in's pending secret. */
export class Authenticator1795913855559 implements MigrationInterface {
  name = 'Authenticator1795913855559';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE user_2fa ADD COLUMN params jsonb NULL');
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN pending_secret text NULL');
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN pending_params jsonb NULL');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN pending_params');
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN pending_secret');
    await q.query('ALTER TABLE user_2fa DROP COLUMN params');
  }
}
