import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateCounterStore } from './rate-counter.store';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's storage on the shared RateCounterStore: a fixed window of `ttl` ms per key,
 * blocked from the hit after `limit` until the window resets (so `blockDuration` is the rest of
 * the window). Times are in seconds, as the guard expects. A store failure rejects, and the
 * guard's request fails with it (503): never let through unthrottled.
 */
export class RateCounterThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: RateCounterStore) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const { count, resetInMs } = await this.store.hit(`throttle:${key}`, ttl);
    const timeToExpire = Math.max(1, Math.ceil(resetInMs / 1000));
    const isBlocked = count > limit;
    return {
      totalHits: count,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }
}
