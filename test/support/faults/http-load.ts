import { Agent, request } from 'node:http';

/** What became of one request: a complete HTTP answer, or an error (with where it struck). */
export type Outcome = { requestId?: string } & (
  | {
      kind: 'response';
      sentAt: number;
      at: number;
      status: number;
      /** The answer said `Connection: close`. */
      connectionClose: boolean;
      /** Sent on a connection that had carried an earlier request (keep-alive). */
      reusedSocket: boolean;
    }
  | {
      kind: 'error';
      sentAt: number;
      at: number;
      /** ECONNREFUSED, ECONNRESET, EPIPE, TIMEOUT, or the message ("socket hang up", "aborted"). */
      code: string;
      reusedSocket: boolean;
      /** The TCP connection was established (so the request was sent, or being sent). */
      connected: boolean;
    }
);

/**
 * One GET over `agent`, waiting for the whole body (a response cut short is an error, not an
 * answer). Never rejects.
 */
export function getOnce(
  url: string,
  path: string,
  options: { agent: Agent | false; headers?: Record<string, string>; timeoutMs?: number },
): Promise<Outcome> {
  const sentAt = Date.now();
  return new Promise<Outcome>((resolve) => {
    let connected = false;
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const req = request(`${url}${path}`, {
      method: 'GET',
      agent: options.agent,
      headers: options.headers,
    });
    const requestId = options.headers?.['x-request-id'];
    const fail = (err: NodeJS.ErrnoException) =>
      done({
        requestId,
        kind: 'error',
        sentAt,
        at: Date.now(),
        code: err.code ?? err.message,
        reusedSocket: req.reusedSocket,
        connected,
      });
    req.setTimeout(options.timeoutMs ?? 15000, () => {
      req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' }));
    });
    req.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => (connected = true));
      else connected = true;
    });
    req.on('error', fail);
    req.on('response', (res) => {
      const expected = Number(res.headers['content-length'] ?? NaN);
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (!res.complete || (Number.isFinite(expected) && expected !== length))
          return fail(Object.assign(new Error('incomplete body'), { code: 'INCOMPLETE' }));
        done({
          requestId,
          kind: 'response',
          sentAt,
          at: Date.now(),
          status: res.statusCode ?? 0,
          connectionClose: String(res.headers.connection ?? '').toLowerCase() === 'close',
          reusedSocket: req.reusedSocket,
        });
      });
    });
    req.end();
  });
}

/**
 * `loops` clients, each with its own keep-alive connection, sending GET `path` back to back, each
 * request with its own X-Request-Id (`<prefix>-<client>-<n>`). A client stops when asked, or at its
 * first refused connection (the server is gone).
 */
export class LoadLoops {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private running: Promise<void>[] = [];
  private readonly agents: Agent[] = [];

  constructor(
    private readonly url: string,
    private readonly path: string,
    private readonly headers: Record<string, string>,
    private readonly loops: number,
    private readonly idPrefix = 'load',
  ) {}

  start(): void {
    for (let i = 0; i < this.loops; i++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      this.agents.push(agent);
      this.running.push(this.loop(agent, i));
    }
  }

  private async loop(agent: Agent, client: number): Promise<void> {
    for (let n = 0; !this.stopped; n++) {
      const headers = { ...this.headers, 'x-request-id': `${this.idPrefix}-${client}-${n}` };
      const o = await getOnce(this.url, this.path, { agent, headers });
      this.outcomes.push(o);
      if (o.kind === 'error' && o.code === 'ECONNREFUSED') return;
      // Anything else unexpected: note it, and do not spin on it.
      if (o.kind === 'error') await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
    for (const a of this.agents) a.destroy();
  }
}
