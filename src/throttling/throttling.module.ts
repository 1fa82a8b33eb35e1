import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { throttleConfig } from '../../config/app-config';
import { FailureLimiter } from './failure-limiter.service';

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY],
      useFactory: (cfg: ConfigType<typeof throttleConfig>) => ({
        throttlers: [{ name: 'ip', ttl: 60_000, limit: cfg.ipPerMinute }],
      }),
    }),
  ],
  providers: [FailureLimiter],
  exports: [FailureLimiter],
})
export class ThrottlingModule {}
