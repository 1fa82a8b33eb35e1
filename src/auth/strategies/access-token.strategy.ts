import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { authConfig } from '../../../config/app-config';
import { Principal, ResolvedTenant } from '../../common/http/request-context';
import { BearerLookup } from '../bearer-lookup.service';
import { SigningKeys } from '../signing-keys.service';
import { ACCESS_TOKEN_TYP, AccessTokenClaims } from '../tokens.service';
import { TENANT_SLUG } from '../../common/validation/field-decorators';
import { bearerTokenOptions, isUnchangedSince, unauthenticated } from './bearer-token';
import { UUID } from './token-header';

export interface AuthenticatedUser {
  principal: Extract<Principal, { kind: 'user' }>;
  tenant: ResolvedTenant;
}

/**
 * Stage 2 bearer tokens. Refuses anything whose header is not `typ: at+jwt` (mfa tokens included)
 * or whose `kid` is unknown, checks iss/aud/exp, then re-reads the user and tenant: a user or
 * tenant disabled, a password changed or a 2FA reset since the token was issued is 401, and so
 * is a token whose session ended (logout, revocation, timeout).
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, 'access-jwt') {
  constructor(
    keys: SigningKeys,
    @Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>,
    private readonly lookup: BearerLookup,
  ) {
    super(bearerTokenOptions(ACCESS_TOKEN_TYP, keys, cfg));
  }

  async validate(claims: AccessTokenClaims): Promise<AuthenticatedUser> {
    if (!UUID.test(String(claims.sub)) || !UUID.test(String(claims.sid))) throw unauthenticated();
    if (typeof claims.tid !== 'string') throw unauthenticated();
    if (!TENANT_SLUG.test(claims.tid)) throw unauthenticated();
    // Tenant, user and session (logout, revocation) in one statement.
    const { tenant, user, live } = await this.lookup.forAccess(claims.tid, claims.sub, claims.sid);
    if (!tenant || tenant.status !== 'active' || !live) throw unauthenticated();
    if (!isUnchangedSince(user, { passwordVersion: claims.pv, twoFactorVersion: claims.tfv }))
      throw unauthenticated();
    return {
      tenant,
      principal: {
        kind: 'user',
        userId: user.id,
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        roles: user.roles, // fresh from the database, not the token's copy
        amr: Array.isArray(claims.amr) ? claims.amr : [],
        acr: typeof claims.acr === 'string' ? claims.acr : 'pwd',
        authTime: typeof claims.auth_time === 'number' ? claims.auth_time : 0,
        sid: claims.sid,
        jti: claims.jti,
      },
    };
  }
}
