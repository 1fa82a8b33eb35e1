import type { ConfigType } from '@nestjs/config';
import type { throttleConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { FailureLimiter } from './failure-limiter.service';
import { MemoryRateCounterStore } from './memory-rate-counter.store';
import { RateCounterStore, RateWindow } from './rate-counter.store';

const cfg = (userPerMinute: number, accountFailuresPerHour = 100) =>
  ({
    ipPerMinute: 1000,
    userPerMinute,
    accountFailuresPerHour,
    redisUrl: undefined,
    redisKeyPrefix: 'test:',
  }) satisfies ConfigType<typeof throttleConfig>;

async function rejection(p: Promise<unknown>): Promise<AppException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppException);
  return err as AppException;
}

class FailingStore extends RateCounterStore {
  hit(): Promise<RateWindow> {
    return Promise.reject(new AppException(ErrorCode.SERVICE_UNAVAILABLE));
  }
  peek(): Promise<RateWindow> {
    return Promise.reject(new AppException(ErrorCode.SERVICE_UNAVAILABLE));
  }
}

describe('FailureLimiter', () => {
  let now: number;
  let store: MemoryRateCounterStore;
  beforeEach(() => {
    now = 5_000_000;
    store = new MemoryRateCounterStore(() => now);
  });

  it('allows until the key has N recorded failures in the minute, then 429 with Retry-After until the window resets', async () => {
    const limiter = new FailureLimiter(cfg(3), store);
    for (let i = 0; i < 3; i++) {
      await limiter.assertAllowed('acme\u0000alice\u00001.2.3.4');
      await limiter.recordFailure('acme\u0000alice\u00001.2.3.4');
    }
    now += 15_500;
    const err = await rejection(limiter.assertAllowed('acme\u0000alice\u00001.2.3.4'));
    expect(err.code).toBe(ErrorCode.TOO_MANY_REQUESTS);
    expect(err.retryAfterSeconds).toBe(45);
    // Checking does not count: still exactly three failures.
    expect((await store.peek(await onlyKey(store))).count).toBe(3);
    await limiter.assertAllowed('acme\u0000bob\u00001.2.3.4');
    now += 44_500;
    await limiter.assertAllowed('acme\u0000alice\u00001.2.3.4');
  });

  it('consume lets exactly N calls through per minute, also when they race', async () => {
    const limiter = new FailureLimiter(cfg(5), store);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => limiter.consume('2fa\u0000t\u0000u')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r.reason as AppException).code).toBe(ErrorCode.TOO_MANY_REQUESTS);
      expect((r.reason as AppException).retryAfterSeconds).toBe(60);
    }
    now += 60_000;
    await limiter.consume('2fa\u0000t\u0000u');
  });

  it('per account: more than N failures in an hour answers 429 until the hour ends; exactly one failure reports the crossing', async () => {
    const limiter = new FailureLimiter(cfg(1000, 3), store);
    const crossings: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      await limiter.assertAccountAllowed('acme\u0000alice');
      crossings.push(await limiter.recordAccountFailure('acme\u0000alice'));
    }
    // Three failures are within the limit; the fourth crosses it (reported once).
    expect(crossings).toEqual([false, false, false, true]);
    now += 600_000;
    const err = await rejection(limiter.assertAccountAllowed('acme\u0000alice'));
    expect(err.code).toBe(ErrorCode.TOO_MANY_REQUESTS);
    expect(err.retryAfterSeconds).toBe(3000);
    expect(await limiter.recordAccountFailure('acme\u0000alice')).toBe(false);
    // Another account, and the per-minute keys, are separate counters.
    await limiter.assertAccountAllowed('acme\u0000bob');
    await limiter.assertAllowed('acme\u0000alice\u00001.2.3.4');
    now += 3_000_000;
    await limiter.assertAccountAllowed('acme\u0000alice');
  });

  it('keeps usernames and IPs out of the store keys', async () => {
    const limiter = new FailureLimiter(cfg(3), store);
    await limiter.recordFailure('acme\u0000alice\u0000203.0.113.9');
    const key = await onlyKey(store);
    expect(key).toMatch(/^fail:[A-Za-z0-9_-]{43}$/);
  });

  it('fails closed: a store failure rejects every method with 503, never allows', async () => {
    const limiter = new FailureLimiter(cfg(3), new FailingStore());
    for (const call of [
      limiter.assertAllowed('k'),
      limiter.recordFailure('k'),
      limiter.consume('k'),
      limiter.assertAccountAllowed('k'),
      limiter.recordAccountFailure('k'),
    ]) {
      expect((await rejection(call)).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    }
  });
});

/** The single key the store holds (reads the private map: the key format is what is under test). */
async function onlyKey(store: MemoryRateCounterStore): Promise<string> {
  const keys = [...(store as unknown as { windows: Map<string, unknown> }).windows.keys()];
  expect(keys).toHaveLength(1);
  return keys[0];
}
