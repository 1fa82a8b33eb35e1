import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { isAppProvider, ResolvedChannel } from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { MetricsService } from '../observability/metrics.service';
import { SecondFactorVerifier } from '../otp/second-factor-verifier.service';
import { VerdictRow, verdictOf } from '../otp/second-factor.statement';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { isLocked, lockedError, TwoFactorStateService } from '../otp/two-factor-state.service';
import { TenantSettingsService } from '../tenants/tenant-settings.service';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { AuthenticatedResponse } from './dto/login.dto';
import { ProvenResponse } from './dto/two-factor.dto';
import { SealedAppFactor } from './bearer-lookup.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { PendingSignInsService } from './pending-sign-ins.service';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { proofPending, recoveryOnly, signInRef } from './sign-in';
import { RecoveryCodeVerifier } from './recovery-code-verifier.service';
import { refusal, SignedInRow, VerifiedSignIn } from './verified-sign-in.service';

/**
 * `POST /v1/auth/2fa/verify`. otp judges the factor; this service runs that judgement in ONE
 * statement with everything a success does besides (the sign-in spent, the session and its
 * refresh token opened, the audit events written), so a verify commits whole or not at all
 * (API.md v1.1 §1). A registration's confirmation joins the same transaction. What every accepted
 * factor does (that statement's success part, the access token) is VerifiedSignIn's; a recovery
 * code instead of a code is RecoveryCodeVerifier's.
 */
@Injectable()
export class TwoFactorVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secondFactor: SecondFactorVerifier,
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly signIns: PendingSignInsService,
    private readonly devices: RememberedDevices,
    private readonly metrics: MetricsService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly settings: TenantSettingsService,
    private readonly state: TwoFactorStateService,
    private readonly byRecoveryCode: RecoveryCodeVerifier,
    private readonly completion: VerifiedSignIn,
  ) {}

  async verify(
    auth: MfaAuthenticated,
    typed: { code?: string; recoveryCode?: string; rememberDevice?: boolean },
    meta: RequestMeta,
  ): Promise<AuthenticatedResponse | ProvenResponse> {
    const { session: signIn, user: known, factor } = auth;
    const remember = typed.rememberDevice === true;
    if (typed.recoveryCode !== undefined)
      return this.byRecoveryCode.verify(auth, typed.recoveryCode, meta, remember);
    // A sign-in started while the account was locked takes a recovery code only (v1.1 §6).
    if (recoveryOnly(signIn)) throw await this.stillLocked(signIn);
    const code = typed.code as string;
    if (proofPending(signIn)) return this.prove(signIn, factor, code, meta);
    const provider = this.channels.provider(signIn.channelType);
    const app = isAppProvider(provider);
    // The sign-in's app channel was disabled or deleted meanwhile: the sign-in is over.
    if (app && !factor.channelEnabled) throw new AppException(ErrorCode.UNAUTHENTICATED);
    const channel = app ? factorChannel(signIn.tenantId, signIn.channelType, factor) : null;
    const enrolled = app
      ? signIn.purpose === 'register'
        ? factor.offered && {
            secret: this.signIns.openOffered(signIn.id, factor.offered),
            params: signIn.pendingParams ?? {},
          }
        : this.enrolledApp(signIn, signIn.channelType, factor)
      : null;
    const judge = await this.secondFactor.judge({
      signIn: signInRef(signIn),
      provider,
      channel,
      code,
      enrolled: enrolled || null,
    });
    const { statement, opening, signedIn, device } = this.completion.signingIn(
      auth,
      judge,
      meta,
      { channel: signIn.channelType, purpose: signIn.purpose },
      remember,
    );

    const run = async (m?: EntityManager) => {
      const [row] = await runPrepared<VerdictRow & SignedInRow>(this.dataSource, statement, m);
      const verdict = verdictOf(row);
      if (verdict.outcome !== 'ok')
        return { verdict, row, opened: false, twoFactorVersion: null, recoveryCodes: undefined };
      // The registration this factor proves commits with the verify (same transaction).
      const twoFactorVersion =
        signIn.purpose === 'register' && row.opened === 1 && m
          ? await this.registrations.confirm(
              signIn.tenantId,
              signIn.userId,
              signIn.channelType,
              app ? null : verdict.destination,
              meta,
              app && enrolled
                ? { secret: enrolled.secret, params: enrolled.params }
                : { contactEmail: provider.destinationIsEmail ? verdict.destination : null },
              m,
            )
          : null;
      // A device remembered by this verify follows the registration's new 2FA version.
      if (twoFactorVersion !== null && remember && row.device_id && m)
        await this.devices.followTwoFactorVersion(
          signIn.tenantId,
          row.device_id,
          twoFactorVersion,
          m,
        );
      // The first registration (no other factor to prove) hands out the recovery codes (v1.1 §6).
      const recoveryCodes =
        twoFactorVersion !== null && signIn.proofType === null && m
          ? await this.firstRecoveryCodes(signIn, m)
          : undefined;
      return { verdict, row, opened: row.opened === 1, twoFactorVersion, recoveryCodes };
    };
    const result =
      signIn.purpose === 'register'
        ? await this.dataSource.transaction((m) => run(m))
        : await run();
    this.metrics.verified(result.verdict);
    if (result.verdict.outcome !== 'ok') throw refusal(result.verdict);
    // Right factor, but the sign-in was spent by a concurrent verify: nothing was opened.
    if (!result.opened) throw new AppException(ErrorCode.UNAUTHENTICATED);

    const answer = await this.completion.authenticated(
      auth,
      result.twoFactorVersion ?? known.twoFactorVersion,
      signedIn,
      opening,
      device.token(result.row.device_kept === true),
    );
    return result.recoveryCodes ? { ...answer, recoveryCodes: result.recoveryCodes } : answer;
  }

  /** A first registration's recovery codes, in its transaction, when the tenant hands them out. */
  private async firstRecoveryCodes(
    signIn: PendingSignIn,
    m: EntityManager,
  ): Promise<string[] | undefined> {
    const settings = await this.settings.get(signIn.tenantId);
    if (!settings.recoveryCodes.enabled) return undefined;
    return (await this.recoveryCodes.replace(signIn.tenantId, signIn.userId, m)).codes;
  }

  /** 429 TWO_FACTOR_LOCKED for a code on a sign-in that takes only a recovery code. */
  private async stillLocked(signIn: PendingSignIn): Promise<AppException> {
    const state = (await this.state.of(signIn.tenantId, [signIn.userId])).get(signIn.userId);
    return lockedError(state && isLocked(state) ? state.lockedUntil : null);
  }

  /**
   * The factor the user already has, proven before they add another (API.md v1.1 §4): judged by
   * the same rules as a login (attempts, lock, replay), and on success the sign-in is marked
   * proven, in one statement; the mfa token stays good for register.
   */
  private async prove(
    signIn: PendingSignIn,
    factor: SealedAppFactor,
    code: string,
    meta: RequestMeta,
  ): Promise<ProvenResponse> {
    const type = signIn.proofType as string;
    const provider = this.channels.findProvider(type) ?? null;
    const app = provider !== null && isAppProvider(provider);
    const channel = app ? factorChannel(signIn.tenantId, type, factor) : null;
    const enrolled = app ? this.enrolledApp(signIn, type, factor) : null;
    const judge = await this.secondFactor.judge({
      signIn: { ...signInRef(signIn), purpose: 'login' },
      provider,
      channel,
      code,
      enrolled,
    });
    const { answer } = await this.completion.proven<VerdictRow>(signIn, judge, meta, {
      channel: type,
      purpose: 'proof',
    });
    return answer;
  }

  private enrolledApp(signIn: PendingSignIn, type: string, factor: SealedAppFactor) {
    if (!factor.enrolled) return null;
    return {
      secret: this.registrations.openSecret(signIn.userId, type, factor.enrolled),
      params: factor.enrolledParams,
    };
  }
}

/**
 * The settings an app code is checked under (its window), as read with the sign-in; a proof with
 * no channel of its type left takes the provider's defaults.
 */
function factorChannel(tenantId: string, type: string, factor: SealedAppFactor): ResolvedChannel {
  const config = factor.channelConfig ?? {};
  return { id: '', tenantId, type, name: type, enabled: true, config, secrets: {}, version: '' };
}
