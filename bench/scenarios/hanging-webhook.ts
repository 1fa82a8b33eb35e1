/**
 * Issue 15: "a receiver that hangs does not change login latency". Three runs of full TOTP logins
 * back to back, the same shape and fresh users each: no webhook; the tenant subscribed to every
 * event at a receiver that answers 204 at once; the same subscription at a receiver that accepts
 * connections and never answers (each attempt waits for WEBHOOK_TIMEOUT_MS). Target: p99 with the
 * hanging receiver ≤ 1.1 × with the healthy one (the receiver's health must not matter); the
 * ratio to no webhook at all is reported beside it (what the outbox rows cost a login).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BenchResults, log, measure, Row } from '../support/measure';
import type { RunningService } from '../support/service';
import { computedCodes, fullLogins, usernames } from './logins';

type Api = (method: string, p: string, body?: unknown) => Promise<Record<string, unknown>>;

/** An HTTP server on 127.0.0.1 that answers each request with 204, or (`hang`) never. */
async function receiver(hang: boolean): Promise<{
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests++;
    if (!hang) req.resume().on('end', () => res.writeHead(204).end());
    // hanging: no answer; the sender's timeout ends it
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests: () => requests,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HangingWebhookResult {
  without: Row;
  healthy: Row;
  hanging: Row;
}

export async function hangingWebhook(
  svc: RunningService,
  api: Api,
  tenant: string,
  secretsByUser: Map<string, string>,
  results: BenchResults,
  users: { without: string; healthy: string; hanging: string; count: number },
): Promise<HangingWebhookResult> {
  const codes = computedCodes(secretsByUser);
  const run = async (prefix: string, what: string) => {
    const m = await measure([svc], () =>
      fullLogins(svc, tenant, usernames(prefix, users.count), 10, codes),
    );
    return results.row(what, m.value.stats, m, m.value.ops);
  };
  const subscribed = async (hang: boolean, prefix: string, what: string) => {
    const r = await receiver(hang);
    const hook = await api('POST', `/v1/tenants/${tenant}/webhooks`, {
      url: r.url,
      events: ['*'],
      enabled: true,
    });
    const row = await run(prefix, what);
    const reached = r.requests();
    await api('DELETE', `/v1/tenants/${tenant}/webhooks/${String(hook.id)}`);
    await r.close();
    log(`${hang ? 'hanging' : 'healthy'} receiver: ${reached} delivery attempts reached it`);
    return { row, reached };
  };

  const without = await run(users.without, 'full TOTP 2FA login, no webhook (paired run)');
  const healthy = await subscribed(
    false,
    users.healthy,
    'full TOTP 2FA login, every event to a receiver that answers 204',
  );
  const hanging = await subscribed(
    true,
    users.hanging,
    'full TOTP 2FA login, every event to a receiver that never answers',
  );
  results.note(
    `Webhook runs: the healthy receiver got ${healthy.reached} deliveries during its run; the hanging one ${hanging.reached} attempts, each held until WEBHOOK_TIMEOUT_MS (at most 10 at a time per instance). Logins never wait for a delivery: the outbox rows (delivery and graphile-worker job) are written in the login's own statements, sent by the worker.`,
  );
  return { without, healthy: healthy.row, hanging: hanging.row };
}
