import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Counter, Histogram } from 'prom-client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { runtimeConfig, webhooksConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { hostAllowed } from '../common/net/host-guard';
import { SecretBox } from '../common/crypto/secret-box';
import { Lifecycle } from '../observability/lifecycle.service';
import { MetricsService } from '../observability/metrics.service';
import { AttemptOutcome, ClaimedDelivery, WebhookOutbox } from './webhook-outbox';
import { postWebhook } from './webhook-sender';
import { hostOf } from './webhook-url';
import { webhookSecretContext } from './webhooks.service';

/** Attempts in flight per instance. */
const MAX_IN_FLIGHT = 16;
/** A retry waits at most this long. */
const MAX_BACKOFF_MS = 3600_000;

/** Delay before the retry that follows attempt `attempts` (1, 2, …): base, 2×base, 4×base, … */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30), MAX_BACKOFF_MS);
}

/**
 * Delivers the webhook outbox in the background of every instance: nothing of it runs on a
 * request's path, so a slow or dead receiver costs a login nothing. Each tick claims due rows
 * (FOR UPDATE SKIP LOCKED, one attempt each) and sends them; instances share the work without
 * taking the same row.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly outcomes: Counter<'outcome'>;
  private readonly lag: Histogram;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    @Inject(webhooksConfig.KEY) private readonly cfg: ConfigType<typeof webhooksConfig>,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
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
    // Not before the migrations ran (the first start creates the tables).
    void this.lifecycle.started.then(() => this.schedule(0));
  }

  /** Stops claiming and waits for the attempts in flight (each bounded by WEBHOOK_TIMEOUT_MS). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking; // a claim under way starts its attempts, which are then awaited too
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => (this.ticking = undefined));
    }, ms);
  }

  private async tick(): Promise<void> {
    let claimedAll = false;
    try {
      const free = MAX_IN_FLIGHT - this.inFlight.size;
      if (free > 0 && !this.stopped) {
        // The lease: the row is due again only if this attempt never records its outcome.
        const claimed = await this.outbox.claimDue(free, this.cfg.timeoutMs + 30_000);
        claimedAll = claimed.length === free;
        for (const c of claimed) {
          this.lag.observe(c.lagSeconds);
          this.track(this.attempt(c));
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'webhook deliveries could not be claimed');
    }
    this.schedule(claimedAll ? 0 : this.cfg.pollMs);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(c: ClaimedDelivery): Promise<void> {
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
    try {
      await this.outbox.finish(c, outcome);
    } catch (err) {
      // The lease expires and another attempt follows: at least once.
      this.logger.warn({ err, deliveryId: c.id }, 'webhook attempt could not be recorded');
    }
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
