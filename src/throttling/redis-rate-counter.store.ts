import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RateCounterStore, RateWindow } from './rate-counter.store';

/**
 * One atomic step, so instances racing on a key never lose a count or leave it without expiry:
 * INCR, PEXPIRE when the window is new (or the key somehow has no expiry), PTTL.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

const PEEK_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`;

interface RateCommands {
  efcxRateHit(key: string, windowMs: number): Promise<[number, number]>;
  efcxRatePeek(key: string): Promise<[number, number]>;
}

export interface RedisRateCounterStoreOptions {
  /** REDIS_URL (never logged: it may hold a password). */
  url: string;
  /** Prepended to every key (`efcx:rl:` in service; tests use a unique one per run). */
  keyPrefix: string;
  /** Connect and command timeout: a request waits at most this long before its 503. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 1000;
const REPORT_INTERVAL_MS = 10_000;

/**
 * Counters in Redis, shared by every instance and worker. Connects on first use; while Redis does
 * not answer, every call rejects within `timeoutMs` with 503 SERVICE_UNAVAILABLE (no offline
 * queue, one try per command) and the client reconnects in the background.
 */
export class RedisRateCounterStore extends RateCounterStore implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisRateCounterStore.name);
  private readonly client: Redis & RateCommands;
  private readonly timeoutMs: number;
  private connecting?: Promise<void>;
  private closed = false;
  private lastReportAt = 0;

  constructor(private readonly options: RedisRateCounterStoreOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
      disconnectTimeout: this.timeoutMs,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }) as Redis & RateCommands;
    this.client.defineCommand('efcxRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.client.defineCommand('efcxRatePeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
    // Without a listener ioredis prints every connection error to the console.
    this.client.on('error', (err: unknown) => this.reportFailure(err));
    this.client.on('ready', () => {
      this.lastReportAt = 0;
      this.logger.log('Redis rate counter store connected');
    });
  }

  hit(key: string, windowMs: number): Promise<RateWindow> {
    return this.run(async (c) =>
      toWindow(await c.efcxRateHit(this.options.keyPrefix + key, Math.max(1, Math.ceil(windowMs)))),
    );
  }

  peek(key: string): Promise<RateWindow> {
    return this.run(async (c) => toWindow(await c.efcxRatePeek(this.options.keyPrefix + key)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    this.client.disconnect();
  }

  /** Fails closed: whatever goes wrong, the caller gets 503, never "under the limit". */
  private async run<T>(command: (client: Redis & RateCommands) => Promise<T>): Promise<T> {
    try {
      await this.ready();
      return await command(this.client);
    } catch (err) {
      this.reportFailure(err);
      throw new AppException(ErrorCode.SERVICE_UNAVAILABLE);
    }
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new Error('the rate counter store is closed');
    if (this.client.status === 'wait') {
      this.connecting ??= this.client.connect().finally(() => {
        this.connecting = undefined;
      });
    }
    // Other states: commands fail at once unless the connection is ready (no offline queue).
    if (this.connecting) await withTimeout(this.connecting, this.timeoutMs);
  }

  private reportFailure(err: unknown): void {
    const now = Date.now();
    if (this.closed || now - this.lastReportAt < REPORT_INTERVAL_MS) return;
    this.lastReportAt = now;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.error(`Redis rate counter store unavailable, limited routes answer 503: ${reason}`);
  }
}

function toWindow([count, ttl]: [number, number]): RateWindow {
  return { count: Number(count), resetInMs: Math.max(0, Number(ttl)) };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not connect within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
