import { AuditRetentionJob } from '../../src/audit/audit-retention.job';
import { createTenant } from '../factories/tenants.factory';
import { queryDb, whileLockedElsewhere } from '../support/database';
import { useTestApp, TestApp } from '../support/test-app';

describe('audit retention (AUDIT_RETENTION_DAYS)', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { AUDIT_RETENTION_DAYS: '30' } });

  it('deletes events past retention, keeps the rest, and only one instance purges at a time', async () => {
    const tenant = await createTenant(t);
    await queryDb(
      t.databaseUrl,
      `INSERT INTO audit_events (tenant_id, type, actor_type, data, created_at)
       SELECT $1, 'LOGIN_FAILED', 'user', '{}', now() - interval '31 days' FROM generate_series(1, 7)`,
      [tenant.id],
    );
    const before = await queryDb<{ n: string }>(
      t.databaseUrl,
      'SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1',
      [tenant.id],
    );
    const job = t.app.get(AuditRetentionJob);

    // While another session holds the job's lock, this instance skips the round.
    await whileLockedElsewhere(t.databaseUrl, 0x45464358_02, () =>
      expect(job.run()).resolves.toBeUndefined(),
    );

    await expect(job.run()).resolves.toBe(7);
    const after = await queryDb<{ n: string; old: string }>(
      t.databaseUrl,
      `SELECT count(*) AS n, count(*) FILTER (WHERE created_at < now() - interval '30 days') AS old FROM audit_events WHERE tenant_id = $1`,
      [tenant.id],
    );
    expect(Number(after[0].old)).toBe(0);
    expect(Number(after[0].n)).toBe(Number(before[0].n) - 7);
    expect(Number(after[0].n)).toBeGreaterThan(0); // the tenant's creation events stay
  });
});
