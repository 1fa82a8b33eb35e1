import http from 'node:http';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

/** A keep-alive HTTP client on 127.0.0.1 with at most `connections` sockets. */
export class Client {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, connections: number) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  request(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              parsed = { raw: text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - started });
          });
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Stats {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Latencies (ms) and outcomes of one measured run. */
export class Recorder {
  readonly latencies: number[] = [];
  readonly statuses: Record<string, number> = {};
  private started = performance.now();
  private ended = 0;

  start(): void {
    this.started = performance.now();
  }

  add(ms: number, status: number | string): void {
    this.latencies.push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  count(status: number | string): number {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    return this.statuses[status];
  }

  stop(): void {
    this.ended = performance.now();
  }

  stats(): Stats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const seconds = ((this.ended || performance.now()) - this.started) / 1000;
    return {
      count: sorted.length,
      seconds,
      perSecond: sorted.length / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
      statuses: this.statuses,
    };
  }
}

/** `workers` loops calling `op` until `until()` is true; `op` records into the recorder. */
export async function closedLoop(
  workers: number,
  until: () => boolean,
  op: (worker: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (!until()) await op(w);
    }),
  );
}

/** Open loop: starts `op` at a fixed rate for `seconds`, whatever the answers; waits for all. */
export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  op: (i: number) => Promise<void>,
): Promise<void> {
  const pending: Promise<void>[] = [];
  const interval = 1000 / ratePerSecond;
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Catch up in bursts when the timer is late, so the offered rate holds.
    while (
      started + i * interval <= performance.now() &&
      performance.now() - started < seconds * 1000
    ) {
      pending.push(op(i++));
    }
  }
  await Promise.all(pending);
}
