import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { authConfig } from '../../config/app-config';
import type { SignInContext } from '../sessions/sessions.service';
import { SigningKeys } from './signing-keys.service';

/** RFC 9068 header type of access tokens; mfa tokens use `mfa+jwt` and another audience. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const MFA_TOKEN_TYP = 'mfa+jwt';

/** Claims of an mfa token: no roles; `aud` is JWT_AUDIENCE + ":mfa"; `jti` names the mfa session. */
export interface MfaTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  tid: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  tid: string;
  roles: string[];
  amr: string[];
  /** "pwd", "2fa" or "2fa-remembered" (API.md v1.1 §3). */
  acr: SignInContext['acr'];
  /** The sign-in's time, seconds since the epoch; a refresh keeps it. */
  auth_time: number;
  sid: string;
  /** The user's password version at issue: a password change ends every earlier token here. */
  pv: number;
  /** The user's 2FA version at issue: an admin 2FA reset ends every earlier token here. */
  tfv: number;
  iat: number;
  exp: number;
  jti: string;
}

export interface TokenSubject {
  userId: string;
  tenantSlug: string;
  roles: string[];
  passwordVersion: number;
  twoFactorVersion: number;
}

/** The subject of a user's tokens, as the database has the user now. */
export function tokenSubject(
  user: { id: string; roles: string[]; passwordVersion: number; twoFactorVersion: number },
  tenantSlug: string,
): TokenSubject {
  return {
    userId: user.id,
    tenantSlug,
    roles: user.roles,
    passwordVersion: user.passwordVersion,
    twoFactorVersion: user.twoFactorVersion,
  };
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeys,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  /** The audience of mfa tokens: another service that checks `aud` never takes one for a login. */
  get mfaAudience(): string {
    return `${this.cfg.audience}:mfa`;
  }

  async issueMfa(
    subject: { userId: string; tenantSlug: string },
    sessionId: string,
    expiresIn: number,
  ): Promise<string> {
    return this.jwt.signAsync(
      { tid: subject.tenantSlug },
      {
        privateKey: this.keys.privateKey,
        algorithm: this.keys.current.alg,
        keyid: this.keys.current.kid,
        header: { typ: MFA_TOKEN_TYP, alg: this.keys.current.alg, kid: this.keys.current.kid },
        issuer: this.cfg.issuer,
        audience: this.mfaAudience,
        subject: subject.userId,
        jwtid: sessionId,
        expiresIn,
      },
    );
  }

  async issueAccess(
    subject: TokenSubject,
    signedIn: SignInContext,
    sessionId: string,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const expiresIn = this.cfg.accessTokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      {
        tid: subject.tenantSlug,
        roles: subject.roles,
        amr: signedIn.amr,
        acr: signedIn.acr,
        auth_time: Math.floor(signedIn.authTime.getTime() / 1000),
        sid: sessionId,
        pv: subject.passwordVersion,
        tfv: subject.twoFactorVersion,
      },
      {
        privateKey: this.keys.privateKey,
        algorithm: this.keys.current.alg,
        keyid: this.keys.current.kid,
        header: { typ: ACCESS_TOKEN_TYP, alg: this.keys.current.alg, kid: this.keys.current.kid },
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        subject: subject.userId,
        jwtid: randomUUID(),
        expiresIn,
      },
    );
    return { accessToken, expiresIn };
  }
}
