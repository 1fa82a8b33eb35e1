/** docs/BENCHMARKS.md from one run's rows: the table, the targets, and why the gaps are there. */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import type { HangingWebhookResult } from './scenarios/hanging-webhook';
import type { MachineLimits } from './scenarios/limits';
import type { OverloadResult } from './scenarios/overload';
import type { ProcessesResult } from './scenarios/processes';
import type { ScaleResult } from './scenarios/scale';
import type { BenchResults, Row } from './support/measure';
import { CORES } from './support/shape';

export interface RunFigures {
  results: BenchResults;
  limits: MachineLimits;
  emailLogin: Row;
  totpLogin: Row;
  verify: Row;
  overload: OverloadResult;
  scale: ScaleResult;
  hangingWebhook: HangingWebhookResult;
  processes?: ProcessesResult;
  database: string;
  redis?: string;
  minutes: number;
}

const fmt = (n: number | undefined) => (n === undefined ? '' : String(n));
const check = (ok: boolean) => (ok ? 'met' : '**not met**');
const ratio = (a: number | undefined, b: number | undefined) => (a ?? 0) / (b || 1);

export function resultsTable(rows: Row[]): string {
  return [
    '| measurement | per second | p50 ms | p99 ms | service CPU ms/op | PostgreSQL CPU ms/op | machine CPU busy | DB round trips/op |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.what}${r.note ? ` (${r.note})` : ''} | ${fmt(r.perSecond)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpuMsPerOp)} | ${fmt(r.pgCpuMsPerOp)} | ${r.machineBusyPct === undefined ? '' : `${r.machineBusyPct} %`} | ${fmt(r.roundTrips)} |`,
    ),
  ].join('\n');
}

export function targetsTable(f: RunFigures): string {
  const { limits, emailLogin, totpLogin, verify, overload, scale, hangingWebhook: hook } = f;
  const loginRatio = emailLogin.perSecond / limits.argon2PerSecond;
  const totpRatio = totpLogin.perSecond / limits.argon2PerSecond;
  const verifyRatio = verify.perSecond / limits.updatePerSecond;
  const hookRatio = ratio(hook.hanging.p99, hook.healthy.p99);
  const outboxRatio = ratio(hook.hanging.p99, hook.without.p99);
  const p = f.processes;
  return [
    '| target | measured | |',
    '|---|---|---|',
    `| full 2FA login ≥ 0.75 × raw argon2 | email ${loginRatio.toFixed(2)} ×, TOTP ${totpRatio.toFixed(2)} × (${emailLogin.perSecond} and ${totpLogin.perSecond} logins/s vs ${limits.argon2PerSecond.toFixed(1)} verifies/s; ${(emailLogin.perSecond / CORES).toFixed(1)} logins/s per vCPU) | ${check(loginRatio >= 0.75 && totpRatio >= 0.75)} |`,
    `| verify ≥ 0.45 × raw UPDATE | ${verifyRatio.toFixed(2)} × (${verify.perSecond} vs ${limits.updatePerSecond.toFixed(0)}/s) | ${check(verifyRatio >= 0.45)} |`,
    `| verify p99 ≤ 50 ms at 50 connections | ${verify.p99} ms | ${check((verify.p99 ?? 1e9) <= 50)} |`,
    `| service RSS ≤ 256 MiB under load | peak ${f.results.peakRssMiB.toFixed(0)} MiB (largest process) | ${check(f.results.peakRssMiB <= 256)} |`,
    `| overload: accepted p99 < 500 ms at 4×, nothing but 200/503 | p99 ${overload.row.p99} ms; ${overload.row.note} | ${check((overload.row.p99 ?? 1e9) < 500 && overload.onlyAcceptedOrShed)} |`,
    `| verify p99 with the scale data ≤ 1.25 × empty | ${scale.verify.p99} vs ${verify.p99} ms (${ratio(scale.verify.p99, verify.p99).toFixed(2)} ×) | ${check(ratio(scale.verify.p99, verify.p99) <= 1.25)} |`,
    `| login p99 with the scale data ≤ 1.25 × empty | ${scale.emailLogin.p99} vs ${emailLogin.p99} ms (${ratio(scale.emailLogin.p99, emailLogin.p99).toFixed(2)} ×) | ${check(ratio(scale.emailLogin.p99, emailLogin.p99) <= 1.25)} |`,
    `| verify p99 during the purges ≤ 2 × | ${scale.verifyDuringPurges.p99} vs ${scale.verify.p99} ms (${ratio(scale.verifyDuringPurges.p99, scale.verify.p99).toFixed(2)} ×) | ${check(ratio(scale.verifyDuringPurges.p99, scale.verify.p99) <= 2)} |`,
    `| login p99 with a hanging webhook receiver ≤ 1.1 × with a healthy one | ${hook.hanging.p99} vs ${hook.healthy.p99} ms (${hookRatio.toFixed(2)} ×); vs no webhook at all ${hook.without.p99} ms (${outboxRatio.toFixed(2)} ×, the outbox rows' cost) | ${check(hookRatio <= 1.1)} |`,
    ...(p
      ? [
          `| two processes vs one (verify, Redis) | 2 workers ${(p.twoWorkers.perSecond / p.oneWithRedis.perSecond).toFixed(2)} ×, 2 instances ${(p.twoInstances.perSecond / p.oneWithRedis.perSecond).toFixed(2)} × | reported |`,
        ]
      : []),
  ].join('\n');
}

export async function writeReport(f: RunFigures): Promise<string> {
  const table = resultsTable(f.results.rows);
  const targets = targetsTable(f);
  const report = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts, scenarios in bench/scenarios/) on ${new Date().toISOString()}, in ${f.minutes.toFixed(1)} minutes.
Machine: ${CORES} vCPU (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node.js ${process.version};
PostgreSQL: ${f.database}; Redis: ${f.redis ? "the machine's, 127.0.0.1:6379" : 'none'}.
The service runs built (\`dist/\`), NODE_ENV=production, LOG_LEVEL=warn, in its own process; the
load generator and the SMTP sink share the same ${CORES} vCPUs, so every figure is a ratio taken
in one run against the limits measured in that run.

## Results

${table}

Service CPU is user + system time of the service process(es) (from /proc) divided by the
operations; a full login is two requests (login, verify). DB round trips are the statements the
service sent (\`efcx_db_queries_total\`, BEGIN/COMMIT included) per operation.

## Targets

${targets}

## Notes

${f.results.notes.map((n) => `- ${n}`).join('\n')}

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
  (${f.limits.rawPgCpuMs.toFixed(3)} ms of PostgreSQL CPU per update); a verify changes or inserts seven (the
  challenge, the account state, the sign-in, the session, its refresh token and two audit rows,
  each audit row also passing the webhook outbox trigger), about
  ${(f.verify.pgCpuMsPerOp ?? 0).toFixed(2)} ms of PostgreSQL CPU, and costs the service
  ${(f.verify.cpuMsPerOp ?? 0).toFixed(2)} ms (HTTP, an ES256 verification of the mfa token and an
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
- **Webhooks:** a login writes its outbox rows (the delivery row and its graphile-worker job, by
  the trigger on audit_events) in its own statements and never waits for a delivery; each
  instance's graphile-worker runner holds at most 10 attempts in flight, so a receiver that hangs
  costs ten idle sockets, not login time. What a subscription does cost is those rows: compare
  the run without any webhook.
- **Memory:** the largest service process includes argon2id's 19 MiB per running hash
  (HASH_CONCURRENCY = 2 × cores = ${2 * CORES} at once).
`;
  await writeFile(path.resolve(__dirname, '../docs/BENCHMARKS.md'), report);
  return `${table}\n\n${targets}\n`;
}
