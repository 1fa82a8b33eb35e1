/** Full sign-ins over HTTP: password, then the code, then verify. */
import { base32Decode, independentTotp } from '../../test/support/independent-totp';
import type { CodeSink } from '../support/code-sink';
import { Client, closedLoop, Recorder, Stats } from '../support/load';
import { BENCH_PASSWORD } from '../support/seed';
import type { RunningService } from '../support/service';
import { LOGIN_WORKERS } from '../support/shape';

/** Where a login's code comes from: `before` is read before the login, `code` after it. */
export interface CodeSource {
  before: (username: string) => number;
  code: (username: string, before: number) => Promise<string>;
}

/** Codes mailed to `<username>@bench.test` and caught by the run's SMTP sink. */
export function mailedCodes(sink: CodeSink): CodeSource {
  return {
    before: (u) => sink.count(`${u}@bench.test`),
    code: (u, sent) => sink.code(`${u}@bench.test`, sent + 1),
  };
}

/** Codes computed from the users' authenticator secrets (each user once per time step). */
export function computedCodes(secretsByUser: Map<string, string>): CodeSource {
  return {
    before: () => 0,
    code: (u) =>
      Promise.resolve(
        independentTotp(base32Decode(secretsByUser.get(u)!), {
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
        }),
      ),
  };
}

export function usernames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** LOGIN_WORKERS sign-ins at a time, each user at most once, for `seconds`. */
export async function fullLogins(
  svc: RunningService,
  tenant: string,
  users: string[],
  seconds: number,
  codes: CodeSource,
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
      const sent = codes.before(username);
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
      const otp = await codes.code(username, sent);
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
