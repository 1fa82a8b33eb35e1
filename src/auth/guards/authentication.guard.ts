import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { authConfig } from '../../../config/app-config';
import { AUTH_KIND, AuthKind } from '../../common/auth/auth.decorators';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { TenantsService } from '../../tenants/tenants.service';
import { AuthenticatedUser } from '../strategies/access-token.strategy';
import { MfaAuthenticated } from '../strategies/mfa-token.strategy';
import { AccessTokenPassportGuard, MfaTokenPassportGuard } from './passport-guards';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The one global guard: default-deny. Every route declares its kind with a decorator
 * (@Public, @PlatformKey, @AccessToken, @TenantAdmin, @MfaStage); a route
 * without one is refused, so a forgotten decorator never makes a route public.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly platformKeyDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokenPassportGuard,
    private readonly mfaTokens: MfaTokenPassportGuard,
    private readonly tenants: TenantsService,
    @Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>,
  ) {
    this.platformKeyDigest = sha256(cfg.platformApiKey);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const kind = this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();
    switch (kind) {
      case AuthKind.Public:
        return true;
      case AuthKind.PlatformKey:
        if (this.hasPlatformKey(req)) {
          req.principal = { kind: 'platform' };
          return true;
        }
        // A signed-in user is authenticated but not allowed here: 403, not 401.
        if (req.headers['x-api-key'] === undefined && req.headers.authorization) {
          await this.authenticateUser(context, req);
          throw new AppException(ErrorCode.FORBIDDEN);
        }
        throw new AppException(ErrorCode.UNAUTHENTICATED);
      case AuthKind.AccessToken:
        await this.authenticateUser(context, req);
        return true;
      case AuthKind.TenantAdmin:
        return this.authorizeTenantAdmin(context, req);
      case AuthKind.MfaToken: {
        await this.mfaTokens.canActivate(context);
        const authenticated = req.user as MfaAuthenticated;
        req.principal = authenticated.principal;
        req.tenant = authenticated.tenant;
        return true;
      }
      default:
        // Undeclared (or a kind this guard does not know yet): refuse.
        throw new AppException(ErrorCode.UNAUTHENTICATED);
    }
  }

  private hasPlatformKey(req: FastifyRequest): boolean {
    const given = req.headers['x-api-key'];
    if (typeof given !== 'string' || given.length === 0) return false;
    // Compare digests: constant time whatever the lengths.
    return timingSafeEqual(sha256(given), this.platformKeyDigest);
  }

  private async authenticateUser(
    context: ExecutionContext,
    req: FastifyRequest & { user?: unknown },
  ): Promise<AuthenticatedUser> {
    await this.accessTokens.canActivate(context);
    const authenticated = req.user as AuthenticatedUser;
    req.principal = authenticated.principal;
    return authenticated;
  }

  private async authorizeTenantAdmin(
    context: ExecutionContext,
    req: FastifyRequest & { user?: unknown },
  ): Promise<boolean> {
    const slug = (req.params as Record<string, string | undefined>).slug ?? '';
    if (req.headers['x-api-key'] !== undefined) {
      if (!this.hasPlatformKey(req)) throw new AppException(ErrorCode.UNAUTHENTICATED);
      req.principal = { kind: 'platform' };
      const tenant = await this.tenants.findBySlug(slug);
      if (!tenant) throw AppException.notFound('No such tenant.');
      req.tenant = tenant;
      return true;
    }
    const { principal, tenant } = await this.authenticateUser(context, req);
    // Another tenant's admin gets 403 whether or not that tenant exists: nothing to enumerate.
    if (principal.tenantSlug !== slug || !principal.roles.includes('admin'))
      throw new AppException(ErrorCode.FORBIDDEN);
    req.tenant = tenant;
    return true;
  }
}
