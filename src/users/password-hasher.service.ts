import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { authConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { MetricsService } from '../observability/metrics.service';

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolatedModules cannot inline)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * argon2id hashing with bounded concurrency: at most HASH_CONCURRENCY hashes run, HASH_QUEUE_MAX
 * wait; beyond that the caller gets 503 with Retry-After instead of a queue that grows without end.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private dummyHash = '';

  constructor(
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    private readonly metrics: MetricsService,
  ) {
    // Queue depth and wait (API.md v1.1 §13): how close logins are to being shed.
    metrics.watchHashQueue(() => this.waiting.length);
  }

  async onModuleInit(): Promise<void> {
    // Verified against for unknown users, so their timing matches a wrong password.
    this.dummyHash = await hash(randomBytes(16).toString('hex'), ARGON2_PARAMS);
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => hash(password, ARGON2_PARAMS));
  }

  /** A stored hash, or null for "no such user" (a dummy verify keeps the time the same). */
  verify(storedHash: string | null, password: string): Promise<boolean> {
    return this.bounded(async () => {
      try {
        const ok = await verify(storedHash ?? this.dummyHash, password);
        return storedHash !== null && ok;
      } catch {
        return false;
      }
    });
  }

  /**
   * Refuses at once when a hash could not even queue: login calls this before its database reads,
   * so shed load costs no round trip and no connection.
   */
  assertCapacity(): void {
    if (this.full()) throw PasswordHasher.overloaded();
  }

  private full(): boolean {
    return this.running >= this.cfg.hashConcurrency && this.waiting.length >= this.cfg.hashQueueMax;
  }

  private static overloaded(): AppException {
    return new AppException(ErrorCode.SERVICE_UNAVAILABLE, { retryAfterSeconds: 1 });
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.cfg.hashConcurrency) {
      if (this.full()) throw PasswordHasher.overloaded();
      const queued = performance.now();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.metrics.hashWaited((performance.now() - queued) / 1000);
    } else {
      this.running++;
      this.metrics.hashWaited(0);
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter; otherwise release it.
      if (next) next();
      else this.running--;
    }
  }
}
