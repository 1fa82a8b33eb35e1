import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email channels name their transport security in `tls` (API.md v1.1 §5): the old
 * `secure: true` becomes "implicit", anything else "starttls", which now requires the upgrade.
 */
export class ChannelTls1796100000000 implements MigrationInterface {
  name = 'ChannelTls1796100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE channels
          SET config = (config - 'secure') || jsonb_build_object('tls',
                CASE WHEN config ? 'tls' THEN config->'tls'
                     WHEN config->'secure' = 'true'::jsonb THEN '"implicit"'::jsonb
                     ELSE '"starttls"'::jsonb END)
        WHERE type = 'email'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE channels
          SET config = (config - 'tls') || jsonb_build_object('secure', config->>'tls' = 'implicit')
        WHERE type = 'email'`,
    );
  }
}
