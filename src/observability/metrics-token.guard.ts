import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { httpConfig, runtimeConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * API.md v1.1 §13: in production /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`
 * (no or another credential: 401; METRICS_TOKEN unset: 404, as if there were no such route).
 * Outside production it is open. The route stays @Public for the global guard: its credential is
 * neither a user's token nor the platform key.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly tokenDigest: Buffer | null;

  constructor(
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
    @Inject(httpConfig.KEY) http: ConfigType<typeof httpConfig>,
  ) {
    this.tokenDigest = http.metricsToken ? sha256(http.metricsToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.runtime.production) return true;
    if (!this.tokenDigest) throw new AppException(ErrorCode.NOT_FOUND);
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const match = /^Bearer (\S+)$/i.exec(header ?? '');
    // Digests: equal lengths for timingSafeEqual, whatever was sent.
    if (!match || !timingSafeEqual(sha256(match[1]), this.tokenDigest))
      throw new AppException(ErrorCode.UNAUTHENTICATED);
    return true;
  }
}
