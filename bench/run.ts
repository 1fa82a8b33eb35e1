/**
 * `npm run bench` (issue 6): the service against PostgreSQL on 127.0.0.1, measured side by side
 * with the limits of this machine in the same run, written to docs/BENCHMARKS.md.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a server URL; a throwaway database is created on it), else the
 * machine's server at 127.0.0.1:5432 when it answers, else an embedded one. Redis at
 * 127.0.0.1:6379 (REDIS_URL for the multi-process runs) when it answers.
 */
import { hash, verify } from '@node-rs/argon2';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { generateCredentials } from '../config/credentials';
import { buildAppConfig, validateEnvironment } from '../config/environment';
import { createApp, shutdownApp } from '../src/app.factory';
import { LoginContextReader } from '../src/auth/login-context.service';
import { TwoFactorLoginService } from '../src/auth/two-factor-login.service';
import { AuditRetentionJob } from '../src/audit/audit-retention.job';
import { OtpPurgeJob } from '../src/otp/otp-purge.job';
import { ARGON2_PARAMS } from '../src/users/password-hasher.service';
import { base32Decode, independentTotp } from '../test/support/independent-totp';
import { CodeSink } from './support/code-sink';
import { Client, closedLoop, openLoop, Recorder, Stats } from './support/load';
import {
  cpuByPid,
  cpuDelta,
  cpuSeconds,
  machineTicks,
  postgresPids,
  RssSampler,
} from './support/process-stats';
import {
  benchPasswordHash,
  BENCH_PASSWORD,
  seedAuthenticator,
  seedScale,
  seedUsers,
  sql,
} from './support/seed';
import { openBenchDatabase } from './support/database';
import { platformApi, productionEnv, RunningService, startService } from './support/service';
import { portOpen } from '../test/support/ports';

const CORES = cpus().length;
const VERIFY_CONNECTIONS = 50;
const LOGIN_WORKERS = 8;
/** Successful verifies per verify run (each needs a challenge issued beforehand). */
const VERIFY_PAIRS = Number(process.env.BENCH_VERIFY_PAIRS ?? 4000);
const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);
const round = (n: number, d = 0) => Number(n.toFixed(d));

interface Row {
  what: string;
  perSecond: number;
  p50?: number;
  p99?: number;
  cpuMsPerOp?: number;
  pgCpuMsPerOp?: number;
  machineBusyPct?: number;
  roundTrips?: number;
  note?: string;
}

const results: Row[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------- the limits

async function rawArgon2(seconds: number): Promise<number> {
  const stored = await hash(BENCH_PASSWORD, ARGON2_PARAMS);
  let done = 0;
  const end = performance.now() + seconds * 1000;
  // As many at once as the service runs (HASH_CONCURRENCY default: 2 per core).
  await closedLoop(
    2 * CORES,
    () => performance.now() > end,
    async () => {
      await verify(stored, BENCH_PASSWORD);
      done++;
    },
  );
  return done / seconds;
}

/** Single-row UPDATE … RETURNING on bench_rows (1M rows), autocommit, as the pool allows. */
async function rawUpdate(url: string, seconds: number, poolSize: number): Promise<number> {
  const pool = new Pool({ connectionString: url, max: poolSize });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await closedLoop(
    VERIFY_CONNECTIONS,
    () => performance.now() > end,
    async () => {
      const id = 1 + Math.floor(Math.random() * 1_000_000);
      await pool.query('UPDATE bench_rows SET n = n + 1 WHERE id = $1 RETURNING n', [id]);
      done++;
    },
  );
  await pool.end();
  return done / seconds;
}

// ---------------------------------------------------------------- measuring the service

interface Measured<T> {
  value: T;
  cpuSeconds: number;
  /** CPU seconds of every PostgreSQL process meanwhile. */
  pgCpuSeconds: number;
  /** Share of the machine's CPUs busy meanwhile (all processes). */
  machineBusy: number;
  queries: number;
  peakRssMiB: number;
}

async function measure<T>(svc: RunningService[], work: () => Promise<T>): Promise<Measured<T>> {
  const pids = () => svc.flatMap((s) => s.pids());
  const rss = new RssSampler();
  rss.start(pids);
  const cpu0 = cpuSeconds(pids());
  const pg0 = cpuByPid(postgresPids());
  const m0 = machineTicks();
  const q0 = svc.length === 1 ? await svc[0].dbQueries() : NaN;
  const value = await work();
  const q1 = svc.length === 1 ? await svc[0].dbQueries() : NaN;
  const cpu1 = cpuSeconds(pids());
  const pg1 = cpuByPid(postgresPids());
  const m1 = machineTicks();
  return {
    value,
    cpuSeconds: cpu1 - cpu0,
    pgCpuSeconds: cpuDelta(pg0, pg1),
    machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    queries: q1 - q0,
    peakRssMiB: rss.stop(),
  };
}

let peakRss = 0;

function row(what: string, s: Stats, m: Measured<unknown>, ops: number, note?: string): Row {
  peakRss = Math.max(peakRss, m.peakRssMiB);
  const r: Row = {
    what,
    perSecond: round(ops / s.seconds, 1),
    p50: round(s.p50, 1),
    p99: round(s.p99, 1),
    cpuMsPerOp: round((m.cpuSeconds * 1000) / ops, 2),
    pgCpuMsPerOp: round((m.pgCpuSeconds * 1000) / ops, 2),
    machineBusyPct: round(m.machineBusy * 100),
    roundTrips: Number.isFinite(m.queries) ? round(m.queries / ops, 1) : undefined,
    note,
  };
  results.push(r);
  log(`${what}: ${JSON.stringify(r)} statuses=${JSON.stringify(s.statuses)}`);
  return r;
}

/** Full sign-ins over HTTP: password, then the code (from the sink, or computed), then verify. */
async function fullLogins(
  svc: RunningService,
  tenant: string,
  users: string[],
  seconds: number,
  code: (username: string, before: number) => Promise<string>,
  before: (username: string) => number = () => 0,
): Promise<{ stats: Stats; ops: number; failures: number }> {
  const client = new Client(svc.url, LOGIN_WORKERS * 2);
  const rec = new Recorder();
  let next = 0;
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  rec.start();
  await closedLoop(
    LOGIN_WORKERS,
    () => performance.now() > end || next >= users.length,
    async () => {
      const username = users[next++];
      if (!username) return;
      const t0 = performance.now();
      const sent = before(username);
      const login = await client.request('POST', '/v1/auth/login', {
        tenant,
        username,
        password: BENCH_PASSWORD,
      });
      if (login.status !== 200 || login.body.status !== 'TWO_FACTOR_REQUIRED') {
        failures++;
        rec.count(`login ${login.status}`);
        return;
      }
      const mfa = String(login.body.mfaToken);
      const otp = await code(username, sent);
      const verified = await client.request('POST', '/v1/auth/2fa/verify', { code: otp }, mfa);
      rec.add(performance.now() - t0, verified.status);
      if (verified.status !== 200) failures++;
    },
  );
  rec.stop();
  client.close();
  const stats = rec.stats();
  return { stats, ops: stats.statuses['200'] ?? 0, failures };
}

/** Challenges and mfa sessions issued through the services (not HTTP), with their codes. */
async function preIssue(
  app: Awaited<ReturnType<typeof createApp>>,
  url: string,
  sink: CodeSink,
  tenantId: string,
  tenantSlug: string,
  prefix: string,
  limit = 1_000_000,
): Promise<Array<{ mfaToken: string; code: string }>> {
  const login = app.get(TwoFactorLoginService);
  const contexts = app.get(LoginContextReader);
  const users = await sql<{
    id: string;
    username: string;
    email: string;
    roles: string[];
    password_version: number;
    two_factor_version: number;
  }>(
    url,
    `SELECT id, username, email, roles, password_version, two_factor_version FROM users
      WHERE tenant_id = $1 AND username LIKE $2 || '%' LIMIT $3`,
    [tenantId, prefix, limit],
  );
  const pairs: Array<{ mfaToken: string; code: string }> = [];
  let i = 0;
  await closedLoop(
    24,
    () => i >= users.length,
    async () => {
      const u = users[i++];
      if (!u) return;
      const before = sink.count(u.email);
      const answer = await login.start(
        {
          userId: u.id,
          tenantId,
          tenantSlug,
          username: u.username,
          tenantName: tenantSlug,
          roles: u.roles,
          passwordVersion: u.password_version,
          twoFactorVersion: u.two_factor_version,
        },
        await contexts.read(tenantId, u.id, {
          token: null,
          passwordVersion: u.password_version,
          twoFactorVersion: u.two_factor_version,
        }),
        {
          requestId: 'bench',
          ip: '127.0.0.1',
          userAgent: 'bench',
          actor: { type: 'user', id: u.id },
        },
      );
      const code = await sink.code(u.email, before + 1);
      pairs.push({ mfaToken: String((answer as { mfaToken: string }).mfaToken), code });
    },
  );
  return pairs;
}

/** POST /v1/auth/2fa/verify over pre-issued pairs at VERIFY_CONNECTIONS, spread over `urls`. */
async function verifyRun(
  urls: string[],
  pairs: Array<{ mfaToken: string; code: string }>,
): Promise<Stats> {
  const per = Math.ceil(VERIFY_CONNECTIONS / urls.length);
  const clients = urls.map((u) => new Client(u, per));
  const rec = new Recorder();
  let next = 0;
  rec.start();
  await closedLoop(
    VERIFY_CONNECTIONS,
    () => next >= pairs.length,
    async (w) => {
      const p = pairs[next++];
      if (!p) return;
      const r = await clients[w % clients.length].request(
        'POST',
        '/v1/auth/2fa/verify',
        { code: p.code },
        p.mfaToken,
      );
      rec.add(r.ms, r.status);
    },
  );
  rec.stop();
  clients.forEach((c) => c.close());
  return rec.stats();
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const db = await openBenchDatabase('efcx_bench');
  const url = db.url;
  const redis = (await portOpen(6379)) ? 'redis://127.0.0.1:6379' : undefined;
  const secrets = generateCredentials();
  const sink = new CodeSink();
  await sink.start();

  // The purges run when the bench says (during a measured run), not on the clock.
  const baseEnv = productionEnv(url, secrets, { OTP_PURGE_CRON: '0 0 1 1 *' });
  notes.push(
    `Throttles on, limits raised for the bench: THROTTLE_IP_PER_MINUTE=${baseEnv.THROTTLE_IP_PER_MINUTE}, THROTTLE_USER_PER_MINUTE=${baseEnv.THROTTLE_USER_PER_MINUTE} (every request still goes through both counters).`,
  );

  log(`database: ${db.label}; redis: ${redis ?? 'none'}`);
  // BENCH_PROFILE=<dir>: a CPU profile of the service over one verify run and one email login
  // run (then stop), to find what stands between the service and the limits.
  const profileDir = process.env.BENCH_PROFILE;
  let svc = await startService(
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
  await seedUsers(url, appId, 'app-', 3000, pwHash, false);
  const secretsByUser = await seedAuthenticator(
    url,
    appId,
    'app-',
    Buffer.from(secrets.DATA_ENCRYPTION_KEY, 'base64'),
  );
  await seedUsers(url, plainId, 'plain-', 200, pwHash, false);
  await sql(url, 'ANALYZE');

  // The in-process side: the same code, configuration and database as the service.
  const config = buildAppConfig(validateEnvironment({ ...baseEnv, LOG_LEVEL: 'silent' }));
  config.database.url = url;
  const app = await createApp(config);

  if (profileDir) {
    const few = await preIssue(app, url, sink, mailId, 'bench-mail', 'v1-', 4000);
    log(`profile: verify ${JSON.stringify(await verifyRun([svc.url], few))}`);
    const users = Array.from({ length: 3000 }, (_, i) => `mail-${i + 1}`);
    const logins = await fullLogins(
      svc,
      'bench-mail',
      users,
      8,
      (u, sent) => sink.code(`${u}@bench.test`, sent + 1),
      (u) => sink.count(`${u}@bench.test`),
    );
    log(`profile: email logins ${JSON.stringify(logins.stats)}`);
    log(`service output: ${svc.output().length} chars; last: ${svc.output().slice(-600)}`);
    await svc.stop();
    await shutdownApp(app);
    await sink.stop();
    await db.close();
    log(`profile written to ${profileDir}`);
    return;
  }

  // Warm-up (not measured): the JIT and the caches of a fresh process.
  const warm = async (target: RunningService) => {
    const users = Array.from({ length: 1000 }, (_, i) => `warm-${i + 1}`);
    await fullLogins(
      target,
      'bench-mail',
      users,
      4,
      (u, sent) => sink.code(`${u}@bench.test`, sent + 1),
      (u) => sink.count(`${u}@bench.test`),
    );
    const few = await preIssue(app, url, sink, mailId, 'bench-mail', 'vw-', 1000);
    await verifyRun([target.url], few);
  };
  await warm(svc);

  // 1. The limits of this machine, measured now.
  log('raw argon2id verifies…');
  const limits = await measure([], () => rawArgon2(5));
  const argon2PerSecond = limits.value;
  log(`raw argon2id: ${argon2PerSecond.toFixed(1)}/s`);
  log('raw UPDATE … RETURNING on 1,000,000 rows…');
  await sql(url, 'CREATE TABLE bench_rows (id integer PRIMARY KEY, n integer NOT NULL)');
  await sql(url, 'INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, 1000000) g');
  await sql(url, 'ANALYZE bench_rows');
  const upd = await measure([], () => rawUpdate(url, 5, config.database.poolSize));
  const updatePerSecond = upd.value;
  const rawPgCpu = (upd.pgCpuSeconds * 1000) / (updatePerSecond * 5);
  await sql(url, 'DROP TABLE bench_rows');
  log(`raw UPDATE: ${updatePerSecond.toFixed(0)}/s`);
  results.push({
    what: `raw argon2id verify (${2 * CORES} at once, service parameters)`,
    perSecond: round(argon2PerSecond, 1),
    machineBusyPct: round(limits.machineBusy * 100),
  });
  results.push({
    what: `raw pg UPDATE … RETURNING, 1M rows (${config.database.poolSize} connections, ${VERIFY_CONNECTIONS} in flight)`,
    perSecond: round(updatePerSecond, 0),
    pgCpuMsPerOp: round(rawPgCpu, 3),
    machineBusyPct: round(upd.machineBusy * 100),
    roundTrips: 1,
  });

  // 2. Full email 2FA logins.
  const mailUsers = Array.from({ length: 3000 }, (_, i) => `mail-${i + 1}`);
  const email = await measure([svc], () =>
    fullLogins(
      svc,
      'bench-mail',
      mailUsers,
      10,
      (u, sent) => sink.code(`${u}@bench.test`, sent + 1),
      (u) => sink.count(`${u}@bench.test`),
    ),
  );
  const emailRow = row(
    'full email 2FA login (login → code by SMTP → verify)',
    email.value.stats,
    email,
    email.value.ops,
  );

  // 3. Full TOTP logins (each user once: a time step is never accepted twice).
  const appUsers = Array.from({ length: 3000 }, (_, i) => `app-${i + 1}`);
  const totp = await measure([svc], () =>
    fullLogins(svc, 'bench-app', appUsers, 10, async (u) =>
      independentTotp(base32Decode(secretsByUser.get(u)!), {
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      }),
    ),
  );
  const totpRow = row(
    'full TOTP 2FA login (login → code computed → verify)',
    totp.value.stats,
    totp,
    totp.value.ops,
  );

  // 4. Verify at 50 connections over pre-issued challenges.
  log(`pre-issuing ${VERIFY_PAIRS} challenges through the services…`);
  let pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v1-');
  const v1 = await measure([svc], () => verifyRun([svc.url], pairs));
  const verifyRow = row(
    `POST /v1/auth/2fa/verify, ${VERIFY_CONNECTIONS} connections`,
    v1.value,
    v1,
    v1.value.statuses['200'] ?? 0,
  );

  // 5. Overload: password logins (2FA off) at 4× the sustainable rate.
  const plainUsers = Array.from({ length: 200 }, (_, i) => `plain-${i + 1}`);
  const client = new Client(svc.url, 256);
  const sustain = new Recorder();
  const sEnd = performance.now() + 6000;
  let k = 0;
  sustain.start();
  await closedLoop(
    LOGIN_WORKERS,
    () => performance.now() > sEnd,
    async () => {
      const r = await client.request('POST', '/v1/auth/login', {
        tenant: 'bench-plain',
        username: plainUsers[k++ % 200],
        password: BENCH_PASSWORD,
      });
      sustain.add(r.ms, r.status);
    },
  );
  sustain.stop();
  const sustainable = sustain.stats();
  results.push({
    what: 'password login, 2FA off (sustainable, 8 in flight)',
    perSecond: round(sustainable.perSecond, 1),
    p50: round(sustainable.p50, 1),
    p99: round(sustainable.p99, 1),
  });
  const offered = 4 * sustainable.perSecond;
  const over = new Recorder();
  const overM = await measure([svc], async () => {
    over.start();
    await openLoop(offered, 8, async () => {
      const r = await client.request('POST', '/v1/auth/login', {
        tenant: 'bench-plain',
        username: plainUsers[k++ % 200],
        password: BENCH_PASSWORD,
      });
      if (r.status === 200) over.add(r.ms, 200);
      else over.count(r.status);
    });
    over.stop();
  });
  client.close();
  const overStats = over.stats();
  peakRss = Math.max(peakRss, overM.peakRssMiB);
  const overloadRow: Row = {
    what: `overload: ${round(offered)} logins/s offered (4×) for 8 s`,
    perSecond: round((overStats.statuses['200'] ?? 0) / 8, 1),
    p50: round(overStats.p50, 1),
    p99: round(overStats.p99, 1),
    note: `answers: ${JSON.stringify(overStats.statuses)}`,
  };
  results.push(overloadRow);
  log(`overload: ${JSON.stringify(overloadRow)}`);

  // 6. Scale of data: 100,000 users, 1,000,000 challenges, 1,000,000 audit events.
  log('seeding the scale data…');
  const seeded = await seedScale(url, mailId, pwHash);
  notes.push(
    `Scale data loaded with generate_series in ${Object.entries(seeded)
      .map(([k2, v]) => `${k2} ${v.toFixed(1)} s`)
      .join(', ')}.`,
  );
  pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v2-');
  const v2 = await measure([svc], () => verifyRun([svc.url], pairs));
  const verifyScaleRow = row(
    'verify, with the scale data',
    v2.value,
    v2,
    v2.value.statuses['200'] ?? 0,
  );
  const scaleUsers = Array.from({ length: 3000 }, (_, i) => `scalelogin-${i + 1}`);
  const emailScale = await measure([svc], () =>
    fullLogins(
      svc,
      'bench-mail',
      scaleUsers,
      10,
      (u, sent) => sink.code(`${u}@bench.test`, sent + 1),
      (u) => sink.count(`${u}@bench.test`),
    ),
  );
  const emailScaleRow = row(
    'full email 2FA login, with the scale data',
    emailScale.value.stats,
    emailScale,
    emailScale.value.ops,
  );

  // 7. The purges during a verify run: 1M dead challenges, ~500k audit events past retention.
  pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v3-');
  const purgeTimes: Record<string, number> = {};
  const v3 = await measure([svc], async () => {
    const run = verifyRun([svc.url], pairs);
    const purge = (async () => {
      const t0 = performance.now();
      const removed = await app.get(OtpPurgeJob).run();
      purgeTimes.challenges = (performance.now() - t0) / 1000;
      purgeTimes.challengesRemoved = removed ?? 0;
      const t1 = performance.now();
      const audit = await app.get(AuditRetentionJob).run();
      purgeTimes.audit = (performance.now() - t1) / 1000;
      purgeTimes.auditRemoved = audit ?? 0;
    })();
    const [stats] = await Promise.all([run, purge]);
    return stats;
  });
  const verifyPurgeRow = row(
    'verify, while both purges run',
    v3.value,
    v3,
    v3.value.statuses['200'] ?? 0,
  );
  notes.push(
    `Purges during that run: ${purgeTimes.challengesRemoved} challenges in ${purgeTimes.challenges?.toFixed(1)} s, ${purgeTimes.auditRemoved} audit events in ${purgeTimes.audit?.toFixed(1)} s (batches of 5,000, one short transaction each).`,
  );

  // 8. More than one process.
  let oneRedis: Row | undefined;
  let twoWorkers: Row | undefined;
  let twoInstances: Row | undefined;
  if (redis) {
    await svc.stop();
    svc = await startService({ ...baseEnv, REDIS_URL: redis });
    await warm(svc);
    pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v4-');
    const r1 = await measure([svc], () => verifyRun([svc.url], pairs));
    oneRedis = row(
      'verify, 1 process, throttle counters in Redis',
      r1.value,
      r1,
      r1.value.statuses['200'] ?? 0,
    );
    await svc.stop();

    svc = await startService({ ...baseEnv, REDIS_URL: redis, WEB_CONCURRENCY: '2' });
    await warm(svc);
    await warm(svc); // each worker gets some of it
    pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v5-');
    const r2 = await measure([svc], () => verifyRun([svc.url], pairs));
    twoWorkers = row(
      'verify, WEB_CONCURRENCY=2 (2 workers), Redis',
      r2.value,
      r2,
      r2.value.statuses['200'] ?? 0,
    );
    await svc.stop();

    const a = await startService({ ...baseEnv, REDIS_URL: redis });
    const b = await startService({ ...baseEnv, REDIS_URL: redis });
    await warm(a);
    await warm(b);
    pairs = await preIssue(app, url, sink, mailId, 'bench-mail', 'v6-');
    const r3 = await measure([a, b], () => verifyRun([a.url, b.url], pairs));
    twoInstances = row(
      'verify, 2 separate instances (25 connections each), Redis',
      r3.value,
      r3,
      r3.value.statuses['200'] ?? 0,
    );
    await a.stop();
    await b.stop();
  } else {
    await svc.stop();
    notes.push('No Redis at 127.0.0.1:6379: the multi-process runs were skipped.');
  }

  await shutdownApp(app);
  await sink.stop();
  await db.close();

  // ---------------------------------------------------------------- the report
  const loginRatio = emailRow.perSecond / argon2PerSecond;
  const totpRatio = totpRow.perSecond / argon2PerSecond;
  const verifyRatio = verifyRow.perSecond / updatePerSecond;
  const minutes = (performance.now() - started) / 60000;
  const fmt = (n: number | undefined) => (n === undefined ? '' : String(n));
  const table = [
    '| measurement | per second | p50 ms | p99 ms | service CPU ms/op | PostgreSQL CPU ms/op | machine CPU busy | DB round trips/op |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.what}${r.note ? ` (${r.note})` : ''} | ${fmt(r.perSecond)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpuMsPerOp)} | ${fmt(r.pgCpuMsPerOp)} | ${r.machineBusyPct === undefined ? '' : `${r.machineBusyPct} %`} | ${fmt(r.roundTrips)} |`,
    ),
  ].join('\n');
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  const targets = [
    `| full 2FA login ≥ 0.75 × raw argon2 | email ${loginRatio.toFixed(2)} ×, TOTP ${totpRatio.toFixed(2)} × (${emailRow.perSecond} and ${totpRow.perSecond} logins/s vs ${argon2PerSecond.toFixed(1)} verifies/s; ${(emailRow.perSecond / CORES).toFixed(1)} logins/s per vCPU) | ${check(loginRatio >= 0.75 && totpRatio >= 0.75)} |`,
    `| verify ≥ 0.45 × raw UPDATE | ${verifyRatio.toFixed(2)} × (${verifyRow.perSecond} vs ${updatePerSecond.toFixed(0)}/s) | ${check(verifyRatio >= 0.45)} |`,
    `| verify p99 ≤ 50 ms at 50 connections | ${verifyRow.p99} ms | ${check((verifyRow.p99 ?? 1e9) <= 50)} |`,
    `| service RSS ≤ 256 MiB under load | peak ${peakRss.toFixed(0)} MiB (largest process) | ${check(peakRss <= 256)} |`,
    `| overload: accepted p99 < 500 ms at 4×, nothing but 200/503 | p99 ${overloadRow.p99} ms; ${overloadRow.note} | ${check((overloadRow.p99 ?? 1e9) < 500 && Object.keys(overStats.statuses).every((s) => s === '200' || s === '503'))} |`,
    `| verify p99 with the scale data ≤ 1.25 × empty | ${verifyScaleRow.p99} vs ${verifyRow.p99} ms (${((verifyScaleRow.p99 ?? 0) / (verifyRow.p99 || 1)).toFixed(2)} ×) | ${check((verifyScaleRow.p99 ?? 0) <= 1.25 * (verifyRow.p99 ?? 0))} |`,
    `| login p99 with the scale data ≤ 1.25 × empty | ${emailScaleRow.p99} vs ${emailRow.p99} ms (${((emailScaleRow.p99 ?? 0) / (emailRow.p99 || 1)).toFixed(2)} ×) | ${check((emailScaleRow.p99 ?? 0) <= 1.25 * (emailRow.p99 ?? 0))} |`,
    `| verify p99 during the purges ≤ 2 × | ${verifyPurgeRow.p99} vs ${verifyScaleRow.p99} ms (${((verifyPurgeRow.p99 ?? 0) / (verifyScaleRow.p99 || 1)).toFixed(2)} ×) | ${check((verifyPurgeRow.p99 ?? 0) <= 2 * (verifyScaleRow.p99 ?? 0))} |`,
    ...(oneRedis && twoWorkers && twoInstances
      ? [
          `| two processes vs one (verify, Redis) | 2 workers ${(twoWorkers.perSecond / oneRedis.perSecond).toFixed(2)} ×, 2 instances ${(twoInstances.perSecond / oneRedis.perSecond).toFixed(2)} × | reported |`,
        ]
      : []),
  ].join('\n');
  const [nodeVersion, pgVersion] = [process.version, db.label];
  const report = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString()}, in ${minutes.toFixed(1)} minutes.
Machine: ${CORES} vCPU (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node.js ${nodeVersion};
PostgreSQL: ${pgVersion}; Redis: ${redis ? "the machine's, 127.0.0.1:6379" : 'none'}.
The service runs built (\`dist/\`), NODE_ENV=production, LOG_LEVEL=warn, in its own process; the
load generator and the SMTP sink share the same ${CORES} vCPUs, so every figure is a ratio taken
in one run against the limits measured in that run.

## Results

${table}

Service CPU is user + system time of the service process(es) (from /proc) divided by the
operations; a full login is two requests (login, verify). DB round trips are the statements the
service sent (\`efcx_db_queries_total\`, BEGIN/COMMIT included) per operation.

## Targets

| target | measured | |
|---|---|---|
${targets}

## Notes

${notes.map((n) => `- ${n}`).join('\n')}

## Where the gaps come from, and what would close them

- **The machine is the first limit.** ${CORES} vCPUs carry the service, PostgreSQL and the load
  generator at once ("machine CPU busy" above is near 100 % in every service run), so every
  ratio above is also a share of the same two cores.
- **Done in the second-factor issue (measured by the round-trips column).** A verify is 2
  statements: the bearer lookup (tenant, user, sign-in and, for an app, its sealed secret and
  window, in one prepared statement) and ONE statement that judges the code, uses it, spends the
  sign-in, opens the session with its first refresh token and writes the audit rows (one commit,
  all or nothing). An email login is 6: tenant, user, the login context (settings, active channel,
  lock, registrations in one statement), the sign-in, the code claimed and inserted in one
  upsert, and "delivered" with its OTP_SENT row. Named (prepared) statements on these paths, a
  pooled SMTP transport per channel, and refused logins answered in Fastify's onRequest before
  any parsing, guard or counter.
- **Verify against the raw UPDATE.** The raw loop changes one row per statement
  (${rawPgCpu.toFixed(3)} ms of PostgreSQL CPU per update); a verify changes or inserts seven (the
  challenge, the account state, the sign-in, the session, its refresh token and two audit rows,
  each audit row also passing the webhook outbox trigger), about
  ${(verifyRow.pgCpuMsPerOp ?? 0).toFixed(2)} ms of PostgreSQL CPU, and costs the service
  ${(verifyRow.cpuMsPerOp ?? 0).toFixed(2)} ms (HTTP, an ES256 verification of the mfa token and an
  ES256 signature of the access token). With both on the same two cores the ceiling is about
  1000 / (service + PostgreSQL ms) verifies/s, which is the measured rate; 0.45 × the raw UPDATE
  would need a verify to cost about two single-row updates. What would still help: a lean Fastify
  route for verify without passport and the Nest pipe stack, the audit rows written by a batching
  writer, or more cores (the design is stateless: WEB_CONCURRENCY or more instances).
- **Logins** are bounded by argon2id as intended; a full 2FA login adds two HTTP requests, two
  ES256 signatures and one verification to the hash, and the load generator and PostgreSQL take
  their share of the same cores.
- **Overload:** beyond HASH_CONCURRENCY hashes and HASH_QUEUE_MAX (4 × HASH_CONCURRENCY) waiting,
  login answers 503 with Retry-After as the first step of the request. Accepted requests still
  share the two cores with the refused ones, the load generator and PostgreSQL.
- **Memory:** the largest service process includes argon2id's 19 MiB per running hash
  (HASH_CONCURRENCY = 2 × cores = ${2 * CORES} at once).
`;
  await writeFile(path.resolve(__dirname, '../docs/BENCHMARKS.md'), report);
  process.stdout.write(`\n${table}\n\n| target | measured | |\n|---|---|---|\n${targets}\n`);
  log(`done in ${minutes.toFixed(1)} min; docs/BENCHMARKS.md written`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
