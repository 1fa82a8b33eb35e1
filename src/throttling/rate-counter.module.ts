import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { throttleConfig } from '../../config/app-config';
import { MemoryRateCounterStore } from './memory-rate-counter.store';
import { RateCounterStore } from './rate-counter.store';
import { RedisRateCounterStore } from './redis-rate-counter.store';

/** The one RateCounterStore of an instance: Redis when REDIS_URL is set, else in memory. */
@Module({
  providers: [
    {
      provide: RateCounterStore,
      inject: [throttleConfig.KEY],
      useFactory: (cfg: ConfigType<typeof throttleConfig>): RateCounterStore =>
        cfg.redisUrl
          ? new RedisRateCounterStore({ url: cfg.redisUrl, keyPrefix: cfg.redisKeyPrefix })
          : new MemoryRateCounterStore(),
    },
  ],
  exports: [RateCounterStore],
})
export class RateCounterModule {}
