import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { authConfig } from '../../../config/app-config';
import { Principal, ResolvedTenant } from '../../common/http/request-context';
import { User } from '../../users/entities/user.entity';
import { BearerLookup, SealedAppFactor } from '../bearer-lookup.service';
import { PendingSignIn } from '../entities/pending-sign-in.entity';
import { SigningKeys } from '../signing-keys.service';
import { MFA_TOKEN_TYP, MfaTokenClaims } from '../tokens.service';
import { bearerTokenOptions, isUnchangedSince, unauthenticated } from './bearer-token';
import { UUID } from './token-header';

export interface MfaAuthenticated {
  principal: Extract<Principal, { kind: 'mfa' }>;
  tenant: ResolvedTenant;
  session: PendingSignIn;
  /** The user as read for this request (enabled, versions unchanged): no second read needed. */
  user: User;
  /** An app factor's sealed secret and channel settings, read with the sign-in. */
  factor: SealedAppFactor;
}

/**
 * Stage-1 bearer tokens, on /v1/auth/2fa/* only. Refuses anything that is not `typ: mfa+jwt`
 * with the mfa audience (access tokens included), then re-checks on every call: the sign-in is
 * not spent or expired, the user and tenant are enabled, and neither the password nor the 2FA
 * registration changed since the token was issued.
 */
@Injectable()
export class MfaTokenStrategy extends PassportStrategy(Strategy, 'mfa-jwt') {
  constructor(
    keys: SigningKeys,
    @Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>,
    private readonly lookup: BearerLookup,
  ) {
    super(
      bearerTokenOptions(MFA_TOKEN_TYP, keys, {
        issuer: cfg.issuer,
        audience: `${cfg.audience}:mfa`,
      }),
    );
  }

  async validate(claims: MfaTokenClaims): Promise<MfaAuthenticated> {
    if (!UUID.test(String(claims.jti)) || !UUID.test(String(claims.sub))) throw unauthenticated();
    // The sign-in with its tenant and user, in one statement.
    const found = await this.lookup.forSignIn(claims.jti);
    if (!found) throw unauthenticated();
    const { signIn: session, tenant, user, factor } = found;
    if (session.spentAt || session.expiresAt.getTime() <= Date.now()) throw unauthenticated();
    if (session.userId !== claims.sub) throw unauthenticated();
    if (tenant.status !== 'active' || tenant.slug !== claims.tid) throw unauthenticated();
    if (!isUnchangedSince(user, session)) throw unauthenticated();
    return {
      tenant,
      session,
      user,
      factor,
      principal: {
        kind: 'mfa',
        userId: user.id,
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        tenantName: tenant.name,
        sessionId: session.id,
      },
    };
  }
}
