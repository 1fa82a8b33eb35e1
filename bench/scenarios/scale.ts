/** Scale of data (100,000 users, 1M challenges, 1M audit events), then both purges under load. */
import type { createApp } from '../../src/app.factory';
import { AuditRetentionJob } from '../../src/audit/audit-retention.job';
import { OtpPurgeJob } from '../../src/otp/otp-purge.job';
import type { CodeSink } from '../support/code-sink';
import { BenchResults, log, measure, Row } from '../support/measure';
import { seedScale } from '../support/seed';
import type { RunningService } from '../support/service';
import { fullLogins, mailedCodes, usernames } from './logins';
import { preIssue, verifyRun } from './verify';

export interface ScaleResult {
  verify: Row;
  emailLogin: Row;
  verifyDuringPurges: Row;
}

export async function scaleAndPurges(
  svc: RunningService,
  app: Awaited<ReturnType<typeof createApp>>,
  url: string,
  sink: CodeSink,
  mail: { id: string; slug: string; pwHash: string },
  results: BenchResults,
): Promise<ScaleResult> {
  log('seeding the scale data…');
  const seeded = await seedScale(url, mail.id, mail.pwHash);
  results.note(
    `Scale data loaded with generate_series in ${Object.entries(seeded)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}.`,
  );
  let pairs = await preIssue(app, url, sink, mail.id, mail.slug, 'v2-');
  const v2 = await measure([svc], () => verifyRun([svc.url], pairs));
  const verify = results.row(
    'verify, with the scale data',
    v2.value,
    v2,
    v2.value.statuses['200'] ?? 0,
  );
  const login = await measure([svc], () =>
    fullLogins(svc, mail.slug, usernames('scalelogin-', 3000), 10, mailedCodes(sink)),
  );
  const emailLogin = results.row(
    'full email 2FA login, with the scale data',
    login.value.stats,
    login,
    login.value.ops,
  );

  // The purges during a verify run: 1M dead challenges, ~500k audit events past retention.
  pairs = await preIssue(app, url, sink, mail.id, mail.slug, 'v3-');
  const times: Record<string, number> = {};
  const v3 = await measure([svc], async () => {
    const run = verifyRun([svc.url], pairs);
    const purge = (async () => {
      const t0 = performance.now();
      times.challengesRemoved = (await app.get(OtpPurgeJob).run()) ?? 0;
      times.challenges = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      times.auditRemoved = (await app.get(AuditRetentionJob).run()) ?? 0;
      times.audit = (performance.now() - t1) / 1000;
    })();
    const [stats] = await Promise.all([run, purge]);
    return stats;
  });
  const verifyDuringPurges = results.row(
    'verify, while both purges run',
    v3.value,
    v3,
    v3.value.statuses['200'] ?? 0,
  );
  results.note(
    `Purges during that run: ${times.challengesRemoved} challenges in ${times.challenges?.toFixed(1)} s, ${times.auditRemoved} audit events in ${times.audit?.toFixed(1)} s (batches of 5,000, one short transaction each).`,
  );
  return { verify, emailLogin, verifyDuringPurges };
}
