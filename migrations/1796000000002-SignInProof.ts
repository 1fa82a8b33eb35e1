import { MigrationInterface, QueryRunner } from 'typeorm';

/** A sign-in that adds a factor proves one the user already has first (API.md v1.1 §4). */
export class SignInProof1796000000002 implements MigrationInterface {
  name = 'SignInProof1796000000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN proof_type varchar(32) NULL');
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN proof_channel_id uuid NULL');
    await q.query('ALTER TABLE mfa_sessions ADD COLUMN proven_at timestamptz NULL');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN proven_at');
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN proof_channel_id');
    await q.query('ALTER TABLE mfa_sessions DROP COLUMN proof_type');
  }
}
