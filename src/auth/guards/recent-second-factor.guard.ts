import { CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { authConfig } from '../../../config/app-config';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { UserPrincipal } from '../../common/http/request-context';

/** 401 REAUTHENTICATION_REQUIRED unless the token's sign-in had a second factor, recently. */
export function assertRecentSecondFactor(principal: UserPrincipal, reauthSeconds: number): void {
  const age = Date.now() / 1000 - principal.authTime;
  if (principal.acr !== '2fa' || age > reauthSeconds)
    throw new AppException(ErrorCode.REAUTHENTICATION_REQUIRED);
}

/**
 * The gate of the account's sensitive changes (API.md v1.1 §6, §8): an access token whose sign-in
 * had a second factor (`acr` `2fa`) at most REAUTH_SECONDS ago. A stolen token of a password-only
 * or remembered sign-in, or an old one, cannot mint recovery codes or replace the factor. Runs
 * after the global AuthenticationGuard (which put the principal on the request), before the body.
 */
@Injectable()
export class RecentSecondFactorGuard implements CanActivate {
  constructor(@Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal?.kind !== 'user') throw new AppException(ErrorCode.UNAUTHENTICATED);
    assertRecentSecondFactor(principal, this.cfg.reauthSeconds);
    return true;
  }
}

/**
 * On an @AccessToken() route: the sign-in must have had a second factor within REAUTH_SECONDS.
 * The route lists REAUTHENTICATION_REQUIRED in its own @ApiErrors (one 401 entry per operation).
 */
export const RecentSecondFactor = () => UseGuards(RecentSecondFactorGuard);
