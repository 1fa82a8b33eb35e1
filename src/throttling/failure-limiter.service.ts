import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { throttleConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RateCounterStore, RateWindow } from './rate-counter.store';

const WINDOW_MS = 60_000;
const ACCOUNT_WINDOW_MS = 3_600_000;

/**
 * Counts per key in a fixed one-minute window (THROTTLE_USER_PER_MINUTE): failed passwords keyed
 * by tenant + username + client IP, and the 2FA calls of an mfa token's subject. Only failures
 * count, so an agent who types the password right is never slowed down; unknown usernames count
 * the same as known ones, so the limit tells nothing about which exist. Failed passwords also
 * count per account over an hour (THROTTLE_ACCOUNT_FAILURES_PER_HOUR): guessing spread over many
 * addresses stops there too. The counts live in the
 * RateCounterStore (Redis when configured: shared by every instance); a store failure rejects
 * with 503, never lets the call through.
 */
@Injectable()
export class FailureLimiter {
  constructor(
    @Inject(throttleConfig.KEY) private readonly cfg: ConfigType<typeof throttleConfig>,
    private readonly store: RateCounterStore,
  ) {}

  /** 429 TOO_MANY_REQUESTS when `key` already has its failures for this minute. */
  async assertAllowed(key: string): Promise<void> {
    const w = await this.store.peek(storeKey(key));
    if (w.count >= this.cfg.userPerMinute) throw tooManyRequests(w);
  }

  /**
   * Counts a request against the limit: 429 beyond it (verify, resend, register per account:
   * THROTTLE_USER_PER_MINUTE; a fixed `limit` for other per-minute limits, e.g. channel tests).
   */
  async consume(key: string, limit = this.cfg.userPerMinute): Promise<void> {
    // Count first, then compare: concurrent calls can never all pass the last free slot.
    const w = await this.store.hit(storeKey(key), WINDOW_MS);
    if (w.count > limit) throw tooManyRequests(w);
  }

  async recordFailure(key: string): Promise<void> {
    await this.store.hit(storeKey(key), WINDOW_MS);
  }

  /**
   * API.md v1.1 §9: 429 TOO_MANY_REQUESTS once the account (tenant + prepared username, every
   * address together) has more than THROTTLE_ACCOUNT_FAILURES_PER_HOUR failures in its hour.
   */
  async assertAccountAllowed(accountKey: string): Promise<void> {
    const w = await this.store.peek(accountStoreKey(accountKey));
    if (w.count > this.cfg.accountFailuresPerHour) throw tooManyRequests(w);
  }

  /**
   * Counts a failure against the account's hour. True for exactly one failure per window, the
   * one that crosses the limit (the store counts atomically, also across instances): the caller
   * writes LOGIN_THROTTLED then, so once per hour.
   */
  async recordAccountFailure(accountKey: string): Promise<boolean> {
    const w = await this.store.hit(accountStoreKey(accountKey), ACCOUNT_WINDOW_MS);
    return w.count === this.cfg.accountFailuresPerHour + 1;
  }
}

function accountStoreKey(key: string): string {
  return `acct:${createHash('sha256').update(key).digest('base64url')}`;
}

/** Keys hold usernames and IPs: the store (maybe a shared Redis) sees only a fixed-size digest. */
function storeKey(key: string): string {
  return `fail:${createHash('sha256').update(key).digest('base64url')}`;
}

function tooManyRequests(w: RateWindow): AppException {
  return new AppException(ErrorCode.TOO_MANY_REQUESTS, {
    retryAfterSeconds: Math.max(1, Math.ceil(w.resetInMs / 1000)),
  });
}
