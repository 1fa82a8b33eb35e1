import { backoffMs } from './webhook-delivery.worker';

describe('backoffMs', () => {
  it('doubles from the base after each attempt, capped at an hour', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(30, 10_000)).toBe(3_600_000);
    expect(backoffMs(1000, 10_000)).toBe(3_600_000);
  });
});
