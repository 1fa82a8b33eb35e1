import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { throttleConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

interface Window {
  count: number;
  resetAt: number;
}

const WINDOW_MS = 60_000;
const MAX_KEYS = 100_000;

/**
 * Counts per key in a fixed one-minute window (THROTTLE_USER_PER_MINUTE): failed passwords keyed
 * by tenant + username + client IP, and the 2FA calls of an mfa token's subject. Only failures count, so an agent who types
 * the password right is never slowed down; unknown usernames count the same as known ones, so
 * the limit tells nothing about which exist. In-memory, per process.
 */
@Injectable()
export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    @Inject(throttleConfig.KEY) private readonly cfg: ConfigType<typeof throttleConfig>,
  ) {}

  /** 429 TOO_MANY_REQUESTS when `key` already has its failures for this minute. */
  assertAllowed(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (w && w.resetAt > now && w.count >= this.cfg.userPerMinute) {
      throw new AppException(ErrorCode.TOO_MANY_REQUESTS, {
        retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
      });
    }
  }

  /** Counts a request against the limit: 429 beyond it (verify, resend, register per account). */
  consume(key: string, now = Date.now()): void {
    this.assertAllowed(key, now);
    this.recordFailure(key, now);
  }

  recordFailure(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (w && w.resetAt > now) {
      w.count++;
      return;
    }
    if (this.windows.size >= MAX_KEYS) this.sweep(now);
    this.windows.set(key, { count: 1, resetAt: now + WINDOW_MS });
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Still full (an attack with many distinct keys): drop the oldest entries.
    for (const k of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(k);
    }
  }
}
