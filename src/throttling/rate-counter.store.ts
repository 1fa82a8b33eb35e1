/** One fixed window of a counter: hits so far and the time until the window resets. */
export interface RateWindow {
  count: number;
  /** Milliseconds until the counter resets (0 when there is no live window). */
  resetInMs: number;
}

/**
 * Fixed-window counters shared by every rate limit of the service (the IP throttler and the
 * per-account limits). In memory for one process, in Redis when REDIS_URL is set so that every
 * instance and worker counts together. A store that cannot count rejects (503
 * SERVICE_UNAVAILABLE): callers never treat a failure as "under the limit".
 */
export abstract class RateCounterStore {
  /** Counts one hit on `key`; a new window of `windowMs` starts when none is live. */
  abstract hit(key: string, windowMs: number): Promise<RateWindow>;

  /** The live window of `key` without counting: `{ count: 0, resetInMs: 0 }` when none. */
  abstract peek(key: string): Promise<RateWindow>;
}
