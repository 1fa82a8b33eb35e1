/** POST /v1/auth/2fa/verify at VERIFY_CONNECTIONS over challenges issued beforehand. */
import type { createApp } from '../../src/app.factory';
import { LoginContextReader } from '../../src/auth/login-context.service';
import { TwoFactorLoginService } from '../../src/auth/two-factor-login.service';
import type { CodeSink } from '../support/code-sink';
import { Client, closedLoop, Recorder, Stats } from '../support/load';
import { sql } from '../support/seed';
import { VERIFY_CONNECTIONS } from '../support/shape';

export type VerifyPair = { mfaToken: string; code: string };

/** Challenges and sign-ins issued through the services (not HTTP), with their codes. */
export async function preIssue(
  app: Awaited<ReturnType<typeof createApp>>,
  url: string,
  sink: CodeSink,
  tenantId: string,
  tenantSlug: string,
  prefix: string,
  limit = 1_000_000,
): Promise<VerifyPair[]> {
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
  const pairs: VerifyPair[] = [];
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
          displayName: null,
          userLocale: null,
          tenantLocale: 'en',
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

/** Verifies over `pairs`, the connections spread over `urls` (one per service process). */
export async function verifyRun(urls: string[], pairs: VerifyPair[]): Promise<Stats> {
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
