/**
 * `npm run soak` (issue 7): a bounded soak of mixed sign-in traffic against the built service on
 * 127.0.0.1, reporting requests served, answers by status and code, p50/p99 latency and the
 * service's RSS over time. SOAK_SECONDS (default 600) bounds it. Exit 1 when an answer other than
 * the expected ones appears or RSS grows by 10 % or more after the warm-up (the first fifth).
 *
 * PostgreSQL: the machine's at 127.0.0.1:5432 when it answers (a throwaway database), else an
 * embedded one; the codes go to an SMTP sink in this process.
 */
import { generateCredentials } from '../config/credentials';
import { CodeSink } from './support/code-sink';
import { Client, closedLoop, percentile } from './support/load';
import { rssMiB } from './support/process-stats';
import { benchPasswordHash, BENCH_PASSWORD, seedUsers } from './support/seed';
import { openBenchDatabase } from './support/database';
import { platformApi, productionEnv, startService } from './support/service';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WORKERS = 8;
const log = (s: string) => process.stdout.write(`[soak] ${s}\n`);

/** Answers a healthy service gives to this traffic; anything else fails the soak. */
const EXPECTED = new Set([
  '200',
  '204',
  '401 INVALID_CREDENTIALS',
  '401 OTP_INVALID',
  '429 OTP_RESEND_COOLDOWN',
]);

async function main(): Promise<void> {
  const db = await openBenchDatabase('efcx_soak');
  const url = db.url;
  const secrets = generateCredentials();
  const sink = new CodeSink();
  await sink.start();
  const svc = await startService(productionEnv(url, secrets));
  const api = platformApi(svc.url, secrets.PLATFORM_API_KEY);
  const tenant = await api('POST', '/v1/tenants', {
    slug: 'soak',
    name: 'Soak',
    admin: { username: 'admin', password: BENCH_PASSWORD },
  });
  const channel = await api('POST', '/v1/tenants/soak/channels', {
    type: 'email',
    name: 'sink',
    config: { host: '127.0.0.1', port: sink.port, tls: 'none', from: 'otp@soak.test' },
  });
  await api('PUT', '/v1/tenants/soak/settings/2fa', {
    enabled: true,
    channelId: channel.id,
    otp: { resendCooldownSeconds: 2 },
  });
  await seedUsers(url, String(tenant.id), 'soak-', 4000, await benchPasswordHash(), true);

  const client = new Client(svc.url, WORKERS * 2);
  const answersBy: Record<string, number> = {};
  const latencies: number[] = [];
  const rss: Array<{ at: number; mib: number }> = [];
  const note = (r: { status: number; body: Record<string, unknown>; ms: number }) => {
    latencies.push(r.ms);
    const key = r.status < 300 ? String(r.status) : `${r.status} ${String(r.body.code)}`;
    answersBy[key] = (answersBy[key] ?? 0) + 1;
    return r;
  };
  const started = Date.now();
  const sample = setInterval(
    () => rss.push({ at: (Date.now() - started) / 1000, mib: Math.max(...rssMiB(svc.pids())) }),
    5000,
  );
  let n = 0;
  log(`${SECONDS} s of mixed traffic, ${WORKERS} in flight…`);
  await closedLoop(
    WORKERS,
    () => Date.now() - started > SECONDS * 1000,
    async () => {
      const i = n++;
      const username = `soak-${(i % 4000) + 1}`;
      const address = `${username}@bench.test`; // as seedUsers registers them
      const kind = i % 10;
      if (kind === 9) {
        note(
          await client.request('POST', '/v1/auth/login', {
            tenant: 'soak',
            username,
            password: 'not-the-password',
          }),
        );
        return;
      }
      const sent = sink.count(address);
      const login = note(
        await client.request('POST', '/v1/auth/login', {
          tenant: 'soak',
          username,
          password: BENCH_PASSWORD,
        }),
      );
      if (login.status !== 200) return;
      const mfa = String(login.body.mfaToken);
      if (login.body.delivery !== 'SENT') {
        // ALREADY_SENT: that code (the last one mailed) is still live and valid.
        answersBy[`login delivery ${String(login.body.delivery)}`] =
          (answersBy[`login delivery ${String(login.body.delivery)}`] ?? 0) + 1;
      }
      let code = await sink.code(
        address,
        Math.max(1, login.body.delivery === 'SENT' ? sent + 1 : sent),
      );
      if (kind === 7) {
        // A wrong code first.
        note(
          await client.request(
            'POST',
            '/v1/auth/2fa/verify',
            { code: code === '000000' ? '111111' : '000000' },
            mfa,
          ),
        );
      }
      if (kind === 8) {
        // A resend inside the cooldown (429), then one after it (a new code).
        note(await client.request('POST', '/v1/auth/2fa/resend', {}, mfa));
        await new Promise((r) => setTimeout(r, 2100));
        const before = sink.count(address);
        const again = note(await client.request('POST', '/v1/auth/2fa/resend', {}, mfa));
        if (again.status === 200) code = await sink.code(address, before + 1);
      }
      const verified = note(await client.request('POST', '/v1/auth/2fa/verify', { code }, mfa));
      if (verified.status !== 200) return;
      const refreshed = note(
        await client.request('POST', '/v1/auth/refresh', {
          refreshToken: verified.body.refreshToken,
        }),
      );
      if (refreshed.status === 200 && kind % 2 === 0)
        note(
          await client.request(
            'POST',
            '/v1/auth/logout',
            undefined,
            String(refreshed.body.accessToken),
          ),
        );
    },
  );
  clearInterval(sample);
  client.close();
  const sorted = latencies.sort((a, b) => a - b);
  const afterWarmUp = rss.filter((r) => r.at >= SECONDS / 5);
  const rssStart = afterWarmUp[0]?.mib ?? rss[0]?.mib ?? 0;
  const rssEnd = rss.at(-1)?.mib ?? 0;
  const growth = rssStart ? (rssEnd - rssStart) / rssStart : 0;
  const unexpected = Object.keys(answersBy).filter((k) => !EXPECTED.has(k));
  const report = {
    seconds: SECONDS,
    requests: sorted.length,
    perSecond: Number((sorted.length / SECONDS).toFixed(1)),
    answers: answersBy,
    p50ms: Number(percentile(sorted, 50).toFixed(1)),
    p99ms: Number(percentile(sorted, 99).toFixed(1)),
    rssMiB: {
      first: Number((rss[0]?.mib ?? 0).toFixed(1)),
      afterWarmUp: Number(rssStart.toFixed(1)),
      end: Number(rssEnd.toFixed(1)),
      peak: Number(Math.max(...rss.map((r) => r.mib)).toFixed(1)),
    },
    rssGrowthAfterWarmUp: `${(growth * 100).toFixed(1)} %`,
    unexpectedAnswers: unexpected,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await svc.stop();
  await sink.stop();
  await db.close();
  process.exit(unexpected.length === 0 && growth < 0.1 ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
