import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UserPrincipal } from '../common/http/request-context';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { RecoveryCodesResponse } from './dto/login.dto';

/**
 * `POST /v1/auth/me/recovery-codes` (API.md v1.1 §6): a new set for the signed-in user, the old
 * one void, shown once. The route is behind RecentSecondFactorGuard (acr `2fa`, REAUTH_SECONDS).
 */
@Injectable()
export class MeRecoveryCodes {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  async regenerate(principal: UserPrincipal): Promise<RecoveryCodesResponse> {
    const set = await this.dataSource.transaction((m) =>
      this.recoveryCodes.replace(principal.tenantId, principal.userId, m),
    );
    return { codes: set.codes, createdAt: set.createdAt.toISOString() };
  }
}
