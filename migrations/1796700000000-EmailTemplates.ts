import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenant email templates and locales (API.md v1.1 §11): a tenant's own mail texts per kind and
 * locale, a user's locale and a tenant's default locale.
 */
export class EmailTemplates1796700000000 implements MigrationInterface {
  name = 'EmailTemplates1796700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        kind varchar(32) NOT NULL,
        locale varchar(35) NOT NULL,
        subject text NOT NULL,
        text text NOT NULL,
        html text NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT email_templates_tenant_kind_locale_key UNIQUE (tenant_id, kind, locale),
        CONSTRAINT email_templates_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE
      )`);
    await q.query('ALTER TABLE users ADD COLUMN locale varchar(35) NULL');
    await q.query(
      `ALTER TABLE tenants ADD COLUMN default_locale varchar(35) NOT NULL DEFAULT 'en'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tenants DROP COLUMN default_locale');
    await q.query('ALTER TABLE users DROP COLUMN locale');
    await q.query('DROP TABLE email_templates');
  }
}
