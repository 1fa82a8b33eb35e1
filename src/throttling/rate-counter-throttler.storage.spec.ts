import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { MemoryRateCounterStore } from './memory-rate-counter.store';
import { RateCounterThrottlerStorage } from './rate-counter-throttler.storage';
import { RateCounterStore, RateWindow } from './rate-counter.store';

describe('RateCounterThrottlerStorage', () => {
  it('blocks the hit after the limit until the fixed window resets (times in seconds)', async () => {
    let now = 0;
    const storage = new RateCounterThrottlerStorage(new MemoryRateCounterStore(() => now));
    for (let i = 1; i <= 3; i++) {
      expect(await storage.increment('ip:1.2.3.4', 60_000, 3, 60_000, 'ip')).toEqual({
        totalHits: i,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    now = 30_200;
    expect(await storage.increment('ip:1.2.3.4', 60_000, 3, 60_000, 'ip')).toEqual({
      totalHits: 4,
      timeToExpire: 30,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    expect((await storage.increment('ip:5.6.7.8', 60_000, 3, 60_000, 'ip')).isBlocked).toBe(false);
    now = 60_000;
    expect((await storage.increment('ip:1.2.3.4', 60_000, 3, 60_000, 'ip')).totalHits).toBe(1);
  });

  it('rejects when the store fails, so the guard never lets the request through', async () => {
    class Failing extends RateCounterStore {
      hit(): Promise<RateWindow> {
        return Promise.reject(new AppException(ErrorCode.SERVICE_UNAVAILABLE));
      }
      peek(): Promise<RateWindow> {
        return this.hit();
      }
    }
    const storage = new RateCounterThrottlerStorage(new Failing());
    await expect(storage.increment('ip:x', 60_000, 3, 60_000, 'ip')).rejects.toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
    });
  });
});
