import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { Principal } from '../common/http/request-context';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { RecoveryCodesResponse } from './dto/login.dto';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/**
 * `POST /v1/auth/me/recovery-codes` (API.md v1.1 §6): a new set for the signed-in user, the old
 * one void, shown once. Only for a sign-in with a second factor (`acr` `2fa`) at most
 * REAUTH_SECONDS old: a stolen access token of a password-only or remembered sign-in, or an old
 * one, cannot mint codes that bypass the second factor.
 */
@Injectable()
export class MeRecoveryCodes {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recoveryCodes: RecoveryCodesService,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  async regenerate(principal: UserPrincipal): Promise<RecoveryCodesResponse> {
    assertRecentSecondFactor(principal, this.cfg.reauthSeconds);
    const set = await this.dataSource.transaction((m) =>
      this.recoveryCodes.replace(principal.tenantId, principal.userId, m),
    );
    return { codes: set.codes, createdAt: set.createdAt.toISOString() };
  }
}

/** 401 REAUTHENTICATION_REQUIRED unless the token's sign-in had a second factor, recently. */
export function assertRecentSecondFactor(principal: UserPrincipal, reauthSeconds: number): void {
  const age = Date.now() / 1000 - principal.authTime;
  if (principal.acr !== '2fa' || age > reauthSeconds)
    throw new AppException(ErrorCode.REAUTHENTICATION_REQUIRED);
}
