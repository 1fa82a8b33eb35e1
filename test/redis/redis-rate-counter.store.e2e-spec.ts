import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisRateCounterStore } from '../../src/throttling/redis-rate-counter.store';
import { deleteKeysUnder, REDIS_URL, redisClient, uniqueKeyPrefix } from './redis-support';

describe('RedisRateCounterStore on a real Redis', () => {
  const prefix = uniqueKeyPrefix();
  let client: Redis;
  let one: RedisRateCounterStore;
  let two: RedisRateCounterStore;
  beforeAll(() => {
    Logger.overrideLogger(false);
    client = redisClient();
    one = new RedisRateCounterStore({ url: REDIS_URL, keyPrefix: prefix });
    two = new RedisRateCounterStore({ url: REDIS_URL, keyPrefix: prefix });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await deleteKeysUnder(client, prefix);
    client.disconnect();
  });

  it('counts atomically across instances: 100 racing hits get 1..100, one expiry set by the first', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).hit('race', 60_000)),
    );
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    for (const r of results) {
      expect(r.resetInMs).toBeGreaterThan(55_000);
      expect(r.resetInMs).toBeLessThanOrEqual(60_000);
    }
    expect(await client.get(`${prefix}race`)).toBe('100');
    const ttl = await client.pttl(`${prefix}race`);
    expect(ttl).toBeGreaterThan(55_000);
  });

  it('keeps a fixed window: later hits do not extend it, and it resets when it ends', async () => {
    const first = await one.hit('window', 400);
    expect(first).toEqual({ count: 1, resetInMs: 400 });
    await new Promise((r) => setTimeout(r, 200));
    const second = await two.hit('window', 400);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeLessThanOrEqual(220);
    await new Promise((r) => setTimeout(r, 260));
    expect(await one.hit('window', 400)).toEqual({ count: 1, resetInMs: 400 });
  });

  it('peek reads without counting; an unknown key is an empty window', async () => {
    expect(await one.peek('peeked')).toEqual({ count: 0, resetInMs: 0 });
    await one.hit('peeked', 60_000);
    await two.hit('peeked', 60_000);
    const seen = await two.peek('peeked');
    expect(seen.count).toBe(2);
    expect(seen.resetInMs).toBeGreaterThan(55_000);
    expect((await one.peek('peeked')).count).toBe(2);
    expect(await client.get(`${prefix}peeked`)).toBe('2');
  });

  it('heals a key that somehow has no expiry instead of counting it forever', async () => {
    await client.set(`${prefix}stuck`, '7');
    const w = await one.hit('stuck', 60_000);
    expect(w).toEqual({ count: 8, resetInMs: 60_000 });
    expect(await client.pttl(`${prefix}stuck`)).toBeGreaterThan(55_000);
  });
});
