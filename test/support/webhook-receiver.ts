import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** Retries polled for often and a few milliseconds apart, attempts that time out after a second. */
export const FAST_WEBHOOKS = {
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_TIMEOUT_MS: '1000',
};

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: string;
  /** What the receiver answered (null: it never answered). */
  answered: number | null;
  /** When it arrived (Date.now()). */
  at: number;
}

/** `hang`: never answer (a dead receiver); a number: answer with that status. */
export type ReceiverAnswer = number | 'hang';

/**
 * A webhook receiver on 127.0.0.1 (node:http, in the test process). `answer` decides each reply
 * from the request and how many requests with the same webhook-id came before on that path.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (r: ReceivedWebhook, previousTries: number) => ReceiverAnswer | Promise<ReceiverAnswer> =
    () => 200;
  private server: Server | undefined;
  private readonly hanging = new Set<() => void>();
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: ReceivedWebhook = {
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered: null,
          at: Date.now(),
        };
        const previous = this.received.filter(
          (x) => x.path === r.path && x.headers['webhook-id'] === r.headers['webhook-id'],
        ).length;
        this.received.push(r);
        void Promise.resolve(this.answer(r, previous)).then((answer) => {
          if (answer === 'hang') {
            const release = () => res.destroy();
            this.hanging.add(release);
            res.on('close', () => this.hanging.delete(release));
            return;
          }
          r.answered = answer;
          res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests open right now that the receiver holds without answering. */
  get held(): number {
    return this.hanging.size;
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits until `done` holds for what was received (polling), or fails after `timeoutMs`. */
  async waitFor(
    done: (received: ReceivedWebhook[]) => boolean,
    timeoutMs = 20000,
  ): Promise<ReceivedWebhook[]> {
    const until = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (Date.now() > until)
        throw new Error(
          `webhook receiver: condition not met after ${timeoutMs} ms; received ${this.received.length}: ` +
            JSON.stringify(this.received.map((r) => [r.path, r.headers['webhook-id'], r.answered])),
        );
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.received;
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: { id: string; type: string } & Record<string, unknown>;
}

/** Verifies a request as a receiver would (Standard Webhooks), returning the payload; throws if it does not verify. */
export function verifyWebhook(secret: string, r: ReceivedWebhook): WebhookPayload {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as WebhookPayload;
}

/** Polls `check` until it returns a value other than undefined (or fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
