import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions remember how and when the user signed in: `acr` and `auth_time` (API.md v1.1 §3). */
export class SessionAcr1796000000001 implements MigrationInterface {
  name = 'SessionAcr1796000000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN acr varchar(16) NOT NULL DEFAULT 'pwd'`);
    await q.query('ALTER TABLE sessions ADD COLUMN auth_time timestamptz NOT NULL DEFAULT now()');
    await q.query(
      `UPDATE sessions SET acr = CASE WHEN 'otp' = ANY(amr) THEN '2fa' ELSE 'pwd' END,
                           auth_time = created_at`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sessions DROP COLUMN auth_time');
    await q.query('ALTER TABLE sessions DROP COLUMN acr');
  }
}
