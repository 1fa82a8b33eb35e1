import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a code was delivered: ALREADY_SENT speaks only of codes that reached the user. */
export class ChallengeDelivered1795914459796 implements MigrationInterface {
  name = 'ChallengeDelivered1795914459796';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE otp_challenges ADD COLUMN delivered_at timestamptz NULL');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE otp_challenges DROP COLUMN delivered_at');
  }
}
