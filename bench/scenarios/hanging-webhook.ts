/**
 * Issue 15: "a receiver that hangs does not change login latency". Two runs of full TOTP logins
 * back to back, the same shape and fresh users each: the first with no webhook, the second with
 * the tenant subscribed to every event at a receiver that accepts connections and never answers
 * (each attempt waits for WEBHOOK_TIMEOUT_MS). Target: p99 with the hanging receiver ≤ 1.1 × without.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BenchResults, log, measure, Row } from '../support/measure';
import type { RunningService } from '../support/service';
import { computedCodes, fullLogins, usernames } from './logins';

type Api = (method: string, p: string, body?: unknown) => Promise<Record<string, unknown>>;

/** An HTTP server that reads each request and never answers it. */
async function hangingReceiver(): Promise<{
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer(() => {
    requests++; // and no answer: the sender's timeout ends it
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
  withHanging: Row;
}

export async function hangingWebhook(
  svc: RunningService,
  api: Api,
  tenant: string,
  secretsByUser: Map<string, string>,
  results: BenchResults,
  users: { without: string; withHanging: string; count: number },
): Promise<HangingWebhookResult> {
  const codes = computedCodes(secretsByUser);
  const run = async (prefix: string, what: string) => {
    const m = await measure([svc], () =>
      fullLogins(svc, tenant, usernames(prefix, users.count), 10, codes),
    );
    return results.row(what, m.value.stats, m, m.value.ops);
  };

  const without = await run(users.without, 'full TOTP 2FA login, no webhook (paired run)');
  const receiver = await hangingReceiver();
  const hook = await api('POST', `/v1/tenants/${tenant}/webhooks`, {
    url: receiver.url,
    events: ['*'],
    enabled: true,
  });
  const withHanging = await run(
    users.withHanging,
    'full TOTP 2FA login, every event to a receiver that never answers',
  );
  const attempts = receiver.requests();
  await api('DELETE', `/v1/tenants/${tenant}/webhooks/${String(hook.id)}`);
  await receiver.close();
  log(`hanging receiver: ${attempts} delivery attempts reached it`);
  results.note(
    `Hanging receiver: during the second paired TOTP run ${attempts} delivery attempts reached a receiver that never answers (each held until WEBHOOK_TIMEOUT_MS); logins do not wait for deliveries (outbox rows written in the login's statement, sent by the delivery worker).`,
  );
  return { without, withHanging };
}
