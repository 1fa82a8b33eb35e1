import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';

/** The path prefix whose requests count against THROTTLE_IP_PER_MINUTE. */
export const THROTTLED_PREFIX = '/v1/auth/';

/**
 * A global guard, registered before authentication so unauthenticated probes count too:
 * THROTTLE_IP_PER_MINUTE over all of /v1/auth/* together, per client IP (request.ip honours
 * TRUST_PROXY). Answers 429 TOO_MANY_REQUESTS in the error shape with Retry-After. Counts live
 * in the RateCounterStore (see RateCounterThrottlerStorage); when it fails, 503.
 */
@Injectable()
export class AuthRateGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<FastifyRequest>().url.startsWith(THROTTLED_PREFIX);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return String((req as unknown as FastifyRequest).ip);
  }

  /** One counter per IP for every auth route (the default would count per route). */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppException(ErrorCode.TOO_MANY_REQUESTS, {
      retryAfterSeconds: Math.max(1, Math.ceil(detail.timeToBlockExpire)),
    });
  }
}
