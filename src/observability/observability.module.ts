import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PurgeRecorder } from '../database/locked-job';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle.service';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [
    MetricsService,
    { provide: PurgeRecorder, useExisting: MetricsService },
    Lifecycle,
    MetricsTokenGuard,
  ],
  exports: [MetricsService, PurgeRecorder, Lifecycle],
})
export class ObservabilityModule {}
