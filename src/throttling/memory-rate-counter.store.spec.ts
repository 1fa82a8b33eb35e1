import { MemoryRateCounterStore } from './memory-rate-counter.store';

describe('MemoryRateCounterStore', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('counts hits in a fixed window that starts at the first hit and does not slide', async () => {
    const store = new MemoryRateCounterStore(clock);
    expect(await store.hit('k', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 20_000;
    expect(await store.hit('k', 60_000)).toEqual({ count: 2, resetInMs: 40_000 });
    now += 39_999;
    expect(await store.hit('k', 60_000)).toEqual({ count: 3, resetInMs: 1 });
    now += 1;
    expect(await store.hit('k', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it('peek reports the live window without counting, and nothing once it has reset', async () => {
    const store = new MemoryRateCounterStore(clock);
    expect(await store.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    await store.hit('k', 1000);
    await store.hit('k', 1000);
    now += 400;
    expect(await store.peek('k')).toEqual({ count: 2, resetInMs: 600 });
    expect(await store.peek('k')).toEqual({ count: 2, resetInMs: 600 });
    now += 600;
    expect(await store.peek('k')).toEqual({ count: 0, resetInMs: 0 });
  });

  it('keeps keys apart', async () => {
    const store = new MemoryRateCounterStore(clock);
    await store.hit('a', 1000);
    await store.hit('a', 1000);
    expect(await store.hit('b', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    expect(await store.peek('a')).toEqual({ count: 2, resetInMs: 1000 });
  });

  it('stays within maxKeys: expired windows go first, then the oldest', async () => {
    const store = new MemoryRateCounterStore(clock, 3);
    await store.hit('old', 100);
    await store.hit('a', 10_000);
    await store.hit('b', 10_000);
    now += 100;
    await store.hit('c', 10_000); // 'old' has expired: swept, the others stay
    expect(await store.peek('a')).toEqual({ count: 1, resetInMs: 9_900 });
    await store.hit('d', 10_000); // full of live windows: 'a', the oldest, is dropped
    expect(await store.peek('a')).toEqual({ count: 0, resetInMs: 0 });
    expect((await store.peek('b')).count).toBe(1);
    expect((await store.peek('d')).count).toBe(1);
  });
});
