/** Password logins (2FA off): the sustainable rate, then 4 × that rate offered for 8 s. */
import { Client, closedLoop, openLoop, Recorder } from '../support/load';
import { BenchResults, measure, round, Row } from '../support/measure';
import { BENCH_PASSWORD } from '../support/seed';
import type { RunningService } from '../support/service';
import { LOGIN_WORKERS } from '../support/shape';

export interface OverloadResult {
  row: Row;
  /** Nothing but 200 and 503 was answered. */
  onlyAcceptedOrShed: boolean;
}

export async function overload(
  svc: RunningService,
  tenant: string,
  users: string[],
  results: BenchResults,
): Promise<OverloadResult> {
  const client = new Client(svc.url, 256);
  let k = 0;
  const login = () =>
    client.request('POST', '/v1/auth/login', {
      tenant,
      username: users[k++ % users.length],
      password: BENCH_PASSWORD,
    });

  const sustain = new Recorder();
  const sEnd = performance.now() + 6000;
  sustain.start();
  await closedLoop(
    LOGIN_WORKERS,
    () => performance.now() > sEnd,
    async () => {
      const r = await login();
      sustain.add(r.ms, r.status);
    },
  );
  sustain.stop();
  const sustainable = sustain.stats();
  results.add({
    what: 'password login, 2FA off (sustainable, 8 in flight)',
    perSecond: round(sustainable.perSecond, 1),
    p50: round(sustainable.p50, 1),
    p99: round(sustainable.p99, 1),
  });

  const offered = 4 * sustainable.perSecond;
  const over = new Recorder();
  const m = await measure([svc], async () => {
    over.start();
    await openLoop(offered, 8, async () => {
      const r = await login();
      if (r.status === 200) over.add(r.ms, 200);
      else over.count(r.status);
    });
    over.stop();
  });
  client.close();
  const stats = over.stats();
  results.peakRssMiB = Math.max(results.peakRssMiB, m.peakRssMiB);
  const row = results.add({
    what: `overload: ${round(offered)} logins/s offered (4×) for 8 s`,
    perSecond: round((stats.statuses['200'] ?? 0) / 8, 1),
    p50: round(stats.p50, 1),
    p99: round(stats.p99, 1),
    note: `answers: ${JSON.stringify(stats.statuses)}`,
  });
  return {
    row,
    onlyAcceptedOrShed: Object.keys(stats.statuses).every((s) => s === '200' || s === '503'),
  };
}
