import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { throttleConfig } from '../../config/app-config';
import { FailureLimiter } from './failure-limiter.service';
import { RateCounterThrottlerStorage } from './rate-counter-throttler.storage';
import { RateCounterModule } from './rate-counter.module';
import { RateCounterStore } from './rate-counter.store';

/** Every rate limit of the service, counted in the one RateCounterStore. */
@Global()
@Module({
  imports: [
    RateCounterModule,
    ThrottlerModule.forRootAsync({
      imports: [RateCounterModule],
      inject: [throttleConfig.KEY, RateCounterStore],
      useFactory: (cfg: ConfigType<typeof throttleConfig>, store: RateCounterStore) => ({
        throttlers: [{ name: 'ip', ttl: 60_000, limit: cfg.ipPerMinute }],
        storage: new RateCounterThrottlerStorage(store),
      }),
    }),
  ],
  providers: [FailureLimiter],
  exports: [FailureLimiter],
})
export class ThrottlingModule {}
