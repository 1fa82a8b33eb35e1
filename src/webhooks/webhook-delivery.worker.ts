import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JobHelpers, Logger as WorkerLogger, run, Runner } from 'graphile-worker';
import { Pool } from 'pg';
import { Counter, Histogram } from 'prom-client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { databaseConfig, runtimeConfig, webhooksConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { hostAllowed } from '../common/net/host-guard';
import { SecretBox } from '../common/crypto/secret-box';
import { Lifecycle } from '../observability/lifecycle.service';
import { MetricsService } from '../observability/metrics.service';
import {
  AttemptOutcome,
  ClaimedDelivery,
  WEBHOOK_DELIVERY_TASK,
  WebhookOutbox,
} from './webhook-outbox';
import { postWebhook } from './webhook-sender';
import { hostOf } from './webhook-url';
import { webhookSecretContext } from './webhooks.service';

/** Attempts in flight per instance: a hanging receiver holds at most this many sockets. */
const CONCURRENCY = 10;
/** A retry waits at most this long. */
const MAX_BACKOFF_MS = 3600_000;
/** A runner that could not start (database down) tries again after this long. */
const RESTART_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Delay before the retry that follows attempt `attempts` (1, 2, …): base, 2×base, 4×base, … */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30), MAX_BACKOFF_MS);
}

/**
 * Delivers webhooks as graphile-worker jobs, in the background of every instance: nothing of it
 * runs on a request's path, so a slow or dead receiver costs a login nothing. graphile-worker locks
 * each job for one worker (instances share the work without taking the same one) and wakes on
 * LISTEN/NOTIFY when the audit trigger adds a job. One job is one attempt; a failed attempt adds
 * the next job with our backoff (see WebhookOutbox.finish). graphile-worker's own retries only
 * cover a task that throws (the outcome could not be recorded): at least once.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private runner: Runner | undefined;
  /** The runner's own connections: ours, so that a dropped connection is logged, never thrown. */
  private pool: Pool | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly outcomes: Counter<'outcome'>;
  private readonly lag: Histogram;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    @Inject(webhooksConfig.KEY) private readonly cfg: ConfigType<typeof webhooksConfig>,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
    metrics: MetricsService,
    private readonly lifecycle: Lifecycle,
  ) {
    // API.md v1.1 §13: webhook deliveries by outcome, and queue lag (no tenant labels).
    this.outcomes = new Counter({
      name: 'efcx_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry, failed, gone)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.lag = new Histogram({
      name: 'efcx_webhook_queue_lag_seconds',
      help: 'How long a due webhook delivery waited before an instance took it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    // Not before the migrations ran (the first start creates the tables and graphile_worker).
    void this.lifecycle.started.then(() => this.start());
  }

  /** Stops taking jobs and waits for the attempts in flight (each bounded by WEBHOOK_TIMEOUT_MS). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.starting;
    await this.runner?.stop('shutdown');
    this.runner = undefined;
    await this.endPool();
  }

  private async endPool(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private start(): void {
    if (this.stopped) return;
    this.starting = this.startRunner().finally(() => (this.starting = undefined));
  }

  private async startRunner(): Promise<void> {
    // One connection per job at most (graphile-worker warns below that); opened only when used.
    const pool = new Pool({ connectionString: this.database.url, max: CONCURRENCY + 1 });
    // A connection the server ends (a restart, a failover, a dropped database) is an event on the
    // pool: without a listener Node would throw it.
    const ended = (err: Error) =>
      this.logger.warn({ err }, 'webhook job runner: a connection ended');
    pool.on('error', ended);
    pool.on('connect', (client) => client.on('error', ended));
    this.pool = pool;
    try {
      const runner = await run({
        pgPool: pool,
        concurrency: CONCURRENCY,
        pollInterval: this.cfg.pollMs,
        noHandleSignals: true,
        // An attempt under way ends by itself (the HTTP timeout) rather than being aborted.
        gracefulShutdownAbortTimeout: this.cfg.timeoutMs + 5000,
        logger: this.workerLogger(),
        taskList: { [WEBHOOK_DELIVERY_TASK]: (payload, helpers) => this.deliver(payload, helpers) },
      });
      this.runner = runner;
      runner.promise.catch(async (err: unknown) => {
        this.logger.warn({ err }, 'webhook job runner stopped');
        if (this.runner !== runner) return;
        this.runner = undefined;
        await this.endPool();
        if (!this.stopped) this.restartTimer = setTimeout(() => this.start(), RESTART_MS);
      });
    } catch (err) {
      this.logger.warn({ err }, 'webhook job runner could not start');
      await this.endPool();
      if (!this.stopped) this.restartTimer = setTimeout(() => this.start(), RESTART_MS);
    }
  }

  /** graphile-worker's own messages, at our levels (its routine news is debug). */
  private workerLogger(): WorkerLogger {
    return new WorkerLogger(() => (level, message, meta) => {
      if (level === 'error') this.logger.error({ meta }, message);
      else if (level === 'warning') this.logger.warn({ meta }, message);
      else this.logger.debug(message);
    });
  }

  /** The task: one attempt of one delivery. */
  private async deliver(payload: unknown, helpers: JobHelpers): Promise<void> {
    const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string' || !UUID.test(deliveryId)) return;
    // Delivered, failed or deleted meanwhile: the job has nothing left to do.
    const c = await this.outbox.claim(deliveryId);
    if (!c) return;
    this.lag.observe(Math.max(0, (Date.now() - new Date(helpers.job.run_at).getTime()) / 1000));
    let outcome: AttemptOutcome;
    try {
      outcome = await this.send(c);
    } catch (err) {
      this.logger.warn({ err, deliveryId: c.id }, 'webhook attempt failed before sending');
      outcome = {
        kind: 'retry',
        statusCode: null,
        error: 'internal_error',
        delayMs: backoffMs(c.attempts, this.cfg.retryBaseMs),
      };
    }
    // 'retry' past give_up_at is recorded as failed by the statement; counted here as a retry.
    this.outcomes.inc({ outcome: outcome.kind });
    // Throws when it cannot be recorded: graphile-worker runs the job again (at least once).
    await this.outbox.finish(c, outcome);
  }

  private async send(c: ClaimedDelivery): Promise<AttemptOutcome> {
    if (!c.webhookEnabled) return { kind: 'failed', statusCode: null, error: 'webhook_disabled' };
    const event = await this.audit.find(c.tenantId, c.eventId);
    if (!event) return { kind: 'failed', statusCode: null, error: 'event_not_found' };
    const body = JSON.stringify({ type: event.type, timestamp: event.createdAt, data: event });
    const secret = this.box.open(c.sealedSecret, webhookSecretContext(c.webhookId));
    const now = new Date();
    const headers = {
      'webhook-id': c.eventId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(secret).sign(c.eventId, now, body),
    };
    let guard = this.runtime.production;
    try {
      guard &&= !hostAllowed(hostOf(new URL(c.url)), this.cfg.allowedHosts);
    } catch {
      return { kind: 'failed', statusCode: null, error: 'invalid_url' };
    }
    const result = await postWebhook(c.url, headers, body, {
      timeoutMs: this.cfg.timeoutMs,
      guard,
    });
    const code = result.statusCode;
    if (code !== null && code >= 200 && code < 300) return { kind: 'delivered', statusCode: code };
    if (code === 410) return { kind: 'gone', statusCode: code };
    return {
      kind: 'retry',
      statusCode: code,
      error: result.error ?? `http_${code}`,
      delayMs: backoffMs(c.attempts, this.cfg.retryBaseMs),
    };
  }
}
