import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FailureLimiter } from '../../throttling/failure-limiter.service';

/**
 * THROTTLE_USER_PER_MINUTE on verify, resend and register, keyed by the mfa token's subject (the
 * global guard has authenticated it by now), so one account cannot be hammered from many IPs.
 */
@Injectable()
export class MfaSubjectRateGuard implements CanActivate {
  constructor(private readonly limiter: FailureLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal?.kind === 'mfa')
      await this.limiter.consume(`2fa\u0000${principal.tenantId}\u0000${principal.userId}`);
    return true;
  }
}
