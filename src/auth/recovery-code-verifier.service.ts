import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { RecoveryVerdictRow } from '../otp/recovery-code.statement';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { AuthenticatedResponse } from './dto/login.dto';
import { ProvenResponse } from './dto/two-factor.dto';
import { RecoveryNotices } from './recovery-notices.service';
import { proofPending, RECOVERY_CODE_PROOF, signInRef } from './sign-in';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { SignedInRow, VerifiedSignIn } from './verified-sign-in.service';

/**
 * `verify { recoveryCode }` (API.md v1.1 §6): judged by otp's `judgeRecoveryCode` in ONE
 * statement with what a success does, as a code is: a login's sign-in spent and its session
 * opened, or a pending proof (§4) proven. Accepted while the account is locked.
 */
@Injectable()
export class RecoveryCodeVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly notices: RecoveryNotices,
    private readonly completion: VerifiedSignIn,
  ) {}

  /** A recovery code instead of the factor's code; `remember` as at verify. */
  async verify(
    auth: MfaAuthenticated,
    typed: string,
    meta: RequestMeta,
    remember: boolean,
  ): Promise<AuthenticatedResponse | ProvenResponse> {
    const { session: signIn, user: known } = auth;
    const proving = proofPending(signIn);
    // A registration with nothing to prove has no recovery code to take.
    if (!proving && signIn.purpose !== 'login') throw new AppException(ErrorCode.OTP_INVALID);
    const judge = this.recoveryCodes.judge(
      { ...signInRef(signIn), purpose: proving ? 'login' : signIn.purpose },
      typed,
    );
    const base = { channel: RECOVERY_CODE_PROOF, purpose: proving ? 'proof' : 'login' };
    const used = (row: RecoveryVerdictRow) =>
      this.notices.recoveryCodeUsed(
        {
          tenantId: signIn.tenantId,
          tenantName: auth.tenant.name,
          tenantLocale: auth.tenant.defaultLocale,
          userId: signIn.userId,
          remaining: row.remaining,
        },
        meta,
      );
    if (proving) {
      const { row, answer } = await this.completion.proven<RecoveryVerdictRow>(
        signIn,
        judge,
        meta,
        base,
      );
      used(row);
      return answer;
    }
    const { statement, opening, signedIn, device } = this.completion.signingIn(
      auth,
      judge,
      meta,
      base,
      remember,
    );
    const [row] = await runPrepared<RecoveryVerdictRow & SignedInRow>(this.dataSource, statement);
    this.completion.accepted(row, row.opened);
    used(row);
    return this.completion.authenticated(
      auth,
      known.twoFactorVersion,
      signedIn,
      opening,
      device.token(row.device_kept === true),
    );
  }
}
