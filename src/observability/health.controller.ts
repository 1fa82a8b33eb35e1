import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/auth.decorators';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { Lifecycle } from './lifecycle.service';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metrics: MetricsService,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get('health/live')
  @Public()
  @ApiOperation({ summary: '200 while the process runs' })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary: '200 when the database answers and the instance is not shutting down, else 503',
  })
  ready() {
    if (this.lifecycle.draining) throw new AppException(ErrorCode.SERVICE_UNAVAILABLE);
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }

  @Get('metrics')
  @Public()
  @UseGuards(MetricsTokenGuard)
  @ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.NOT_FOUND)
  @ApiOkResponse({
    description: 'The Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'In production only with `Authorization: Bearer <METRICS_TOKEN>` (401 without it; 404 when ' +
      'METRICS_TOKEN is unset); open outside production.',
  })
  render() {
    return this.metrics.render();
  }
}
