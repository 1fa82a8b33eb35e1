/**
 * `npm run bench` (issue 6): the service against PostgreSQL on 127.0.0.1, measured side by side
 * with the limits of this machine in the same run, written to docs/BENCHMARKS.md. Each scenario
 * lives in bench/scenarios/, the report in bench/report.ts.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a server URL; a throwaway database is created on it), else the
 * machine's server at 127.0.0.1:5432 when it answers, else an embedded one. Redis at
 * 127.0.0.1:6379 (REDIS_URL for the multi-process runs) when it answers.
 */
import { generateCredentials } from '../config/credentials';
import { buildAppConfig, validateEnvironment } from '../config/environment';
import { createApp, shutdownApp } from '../src/app.factory';
import { portOpen } from '../test/support/ports';
import { writeReport } from './report';
import { hangingWebhook } from './scenarios/hanging-webhook';
import { measureLimits } from './scenarios/limits';
import { computedCodes, fullLogins, mailedCodes, usernames } from './scenarios/logins';
import { overload } from './scenarios/overload';
import { moreProcesses, ProcessesResult } from './scenarios/processes';
import { scaleAndPurges } from './scenarios/scale';
import { preIssue, verifyRun } from './scenarios/verify';
import { CodeSink } from './support/code-sink';
import { autovacuumRuns, openBenchDatabase } from './support/database';
import { BenchResults, log, measure } from './support/measure';
import {
  benchPasswordHash,
  BENCH_PASSWORD,
  seedAuthenticator,
  seedUsers,
  sql,
} from './support/seed';
import { platformApi, productionEnv, RunningService, startService } from './support/service';
import { VERIFY_CONNECTIONS, VERIFY_PAIRS } from './support/shape';

async function main(): Promise<void> {
  const started = performance.now();
  const results = new BenchResults();
  const db = await openBenchDatabase('efcx_bench');
  const url = db.url;
  const redis = (await portOpen(6379)) ? 'redis://127.0.0.1:6379' : undefined;
  const secrets = generateCredentials();
  const sink = new CodeSink();
  await sink.start();

  // The purges run when the bench says (during a measured run), not on the clock. The hanging
  // webhook receiver listens on 127.0.0.1 over plain http, which production allows only if listed.
  const baseEnv = productionEnv(url, secrets, {
    OTP_PURGE_CRON: '0 0 1 1 *',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  results.note(
    `Throttles on, limits raised for the bench: THROTTLE_IP_PER_MINUTE=${baseEnv.THROTTLE_IP_PER_MINUTE}, THROTTLE_USER_PER_MINUTE=${baseEnv.THROTTLE_USER_PER_MINUTE} (every request still goes through both counters).`,
  );

  log(`database: ${db.label}; redis: ${redis ?? 'none'}`);
  // BENCH_PROFILE=<dir>: a CPU profile of the service over one verify run and one email login
  // run (then stop), to find what stands between the service and the limits.
  const profileDir = process.env.BENCH_PROFILE;
  const svc = await startService(
    baseEnv,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const api = platformApi(svc.url, secrets.PLATFORM_API_KEY);

  // Tenants: email 2FA, authenticator 2FA, and 2FA off (password logins).
  const tenant = async (slug: string) =>
    String(
      (
        await api('POST', '/v1/tenants', {
          slug,
          name: slug,
          admin: { username: 'admin', password: BENCH_PASSWORD },
        })
      ).id,
    );
  const mailId = await tenant('bench-mail');
  const appId = await tenant('bench-app');
  const plainId = await tenant('bench-plain');
  const mailChannel = await api('POST', '/v1/tenants/bench-mail/channels', {
    type: 'email',
    name: 'sink',
    enabled: true,
    config: { host: '127.0.0.1', port: sink.port, tls: 'none', from: 'EFCX <otp@bench.test>' },
  });
  await api('PUT', '/v1/tenants/bench-mail/settings/2fa', {
    enabled: true,
    channelId: mailChannel.id,
  });
  const appChannel = await api('POST', '/v1/tenants/bench-app/channels', {
    type: 'authenticator',
    name: 'app',
    enabled: true,
    config: { issuer: 'Bench', digits: 6, periodSeconds: 30, algorithm: 'SHA1', window: 1 },
  });
  await api('PUT', '/v1/tenants/bench-app/settings/2fa', {
    enabled: true,
    channelId: appChannel.id,
  });

  const pwHash = await benchPasswordHash();
  await seedUsers(url, mailId, 'mail-', 3000, pwHash, true);
  for (const prefix of ['v1-', 'v2-', 'v3-', 'v4-', 'v5-', 'v6-'])
    await seedUsers(url, mailId, prefix, VERIFY_PAIRS, pwHash, true);
  await seedUsers(url, mailId, 'scalelogin-', 3000, pwHash, true);
  await seedUsers(url, mailId, 'warm-', 1000, pwHash, true);
  await seedUsers(url, mailId, 'vw-', 1000, pwHash, true);
  const dataKey = Buffer.from(secrets.DATA_ENCRYPTION_KEY, 'base64');
  const secretsByUser = new Map<string, string>();
  for (const prefix of ['app-', 'hookoff-', 'hookok-', 'hookon-']) {
    await seedUsers(url, appId, prefix, 3000, pwHash, false);
    for (const [u, s] of await seedAuthenticator(url, appId, prefix, dataKey))
      secretsByUser.set(u, s);
  }
  await seedUsers(url, plainId, 'plain-', 200, pwHash, false);
  await sql(url, 'ANALYZE');

  // The in-process side: the same code, configuration and database as the service.
  const config = buildAppConfig(validateEnvironment({ ...baseEnv, LOG_LEVEL: 'silent' }));
  config.database.url = url;
  const app = await createApp(config);
  const mail = { id: mailId, slug: 'bench-mail', pwHash };

  if (profileDir) {
    const few = await preIssue(app, url, sink, mailId, 'bench-mail', 'v1-', 4000);
    log(`profile: verify ${JSON.stringify(await verifyRun([svc.url], few))}`);
    const logins = await fullLogins(
      svc,
      'bench-mail',
      usernames('mail-', 3000),
      8,
      mailedCodes(sink),
    );
    log(`profile: email logins ${JSON.stringify(logins.stats)}`);
    await svc.stop();
    await shutdownApp(app);
    await sink.stop();
    await db.close();
    log(`profile written to ${profileDir}`);
    return;
  }

  // Warm-up (not measured): the JIT and the caches of a fresh process.
  const warm = async (target: RunningService) => {
    await fullLogins(target, 'bench-mail', usernames('warm-', 1000), 4, mailedCodes(sink));
    await verifyRun(
      [target.url],
      await preIssue(app, url, sink, mailId, 'bench-mail', 'vw-', 1000),
    );
  };
  await warm(svc);

  // 1. The limits of this machine, measured now.
  const limits = await measureLimits(url, config.database.poolSize, results);

  // 2. Full email 2FA logins; 3. full TOTP logins (each user once: a time step is never
  // accepted twice).
  const email = await measure([svc], () =>
    fullLogins(svc, 'bench-mail', usernames('mail-', 3000), 10, mailedCodes(sink)),
  );
  const emailLogin = results.row(
    'full email 2FA login (login → code by SMTP → verify)',
    email.value.stats,
    email,
    email.value.ops,
  );
  const totp = await measure([svc], () =>
    fullLogins(svc, 'bench-app', usernames('app-', 3000), 10, computedCodes(secretsByUser)),
  );
  const totpLogin = results.row(
    'full TOTP 2FA login (login → code computed → verify)',
    totp.value.stats,
    totp,
    totp.value.ops,
  );

  // 4. Verify at 50 connections over pre-issued challenges.
  log(`pre-issuing ${VERIFY_PAIRS} challenges through the services…`);
  const pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v1-');
  const vacuumsBefore = await autovacuumRuns(url);
  const v1 = await measure([svc], () => verifyRun([svc.url], pairs));
  results.note(
    `Autovacuum and autoanalyze runs that finished on the bench database during the verify run: ${(await autovacuumRuns(url)) - vacuumsBefore}.`,
  );
  const verify = results.row(
    `POST /v1/auth/2fa/verify, ${VERIFY_CONNECTIONS} connections`,
    v1.value,
    v1,
    v1.value.statuses['200'] ?? 0,
  );

  // 5. A webhook receiver that hangs, against the same logins without one.
  const hook = await hangingWebhook(svc, api, 'bench-app', secretsByUser, results, {
    without: 'hookoff-',
    healthy: 'hookok-',
    hanging: 'hookon-',
    count: 3000,
  });

  // 6. Overload: password logins (2FA off) at 4× the sustainable rate.
  const over = await overload(svc, 'bench-plain', usernames('plain-', 200), results);

  // 7. Scale of data, and the purges under load.
  const scale = await scaleAndPurges(svc, app, url, sink, mail, results);
  await svc.stop();

  // 8. More than one process.
  let processes: ProcessesResult | undefined;
  if (redis) {
    processes = await moreProcesses(
      { ...baseEnv, REDIS_URL: redis },
      app,
      url,
      sink,
      mail,
      warm,
      results,
    );
  } else {
    results.note('No Redis at 127.0.0.1:6379: the multi-process runs were skipped.');
  }

  await shutdownApp(app);
  await sink.stop();
  await db.close();

  const minutes = (performance.now() - started) / 60000;
  const printed = await writeReport({
    results,
    limits,
    emailLogin,
    totpLogin,
    verify,
    overload: over,
    scale,
    hangingWebhook: hook,
    processes,
    database: db.label,
    redis,
    minutes,
  });
  process.stdout.write(`\n${printed}`);
  log(`done in ${minutes.toFixed(1)} min; docs/BENCHMARKS.md written`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
