import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql, { Sql } from 'sql-template-tag';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService } from '../channels/channels.service';
import { isAppProvider, ResolvedChannel } from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { MetricsService } from '../observability/metrics.service';
import { Verdict } from '../otp/otp.types';
import { SecondFactorVerifier } from '../otp/second-factor-verifier.service';
import { VerdictRow, verdictOf } from '../otp/second-factor.statement';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { RecoveryVerdictRow } from '../otp/recovery-code.statement';
import { isLocked, lockedError, TwoFactorStateService } from '../otp/two-factor-state.service';
import { TenantSettingsService } from '../tenants/tenant-settings.service';
import { SessionsService } from '../sessions/sessions.service';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { describeBrowser } from '../messages/browser-summary';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { AuthenticatedResponse } from './dto/login.dto';
import { ProvenResponse } from './dto/two-factor.dto';
import { SealedAppFactor } from './bearer-lookup.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { PendingSignInsService } from './pending-sign-ins.service';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { tokenSubject, TokensService } from './tokens.service';
import { RecoveryNotices } from './recovery-notices.service';
import { proofPending, RECOVERY_CODE_PROOF, signInRef } from './two-factor-login.service';

const AMR_TWO_FACTOR = ['pwd', 'otp'];

/** What the verify statement returns beside the verdict. */
interface SignedInRow {
  opened: number;
  device_id: string | null;
  device_kept: boolean | null;
}

/**
 * `POST /v1/auth/2fa/verify`. otp judges the factor; this service runs that judgement in ONE
 * statement with everything a success does besides (the sign-in spent, the session and its
 * refresh token opened, the audit events written), so a verify commits whole or not at all
 * (API.md v1.1 §1). A registration's confirmation joins the same transaction. What is left here
 * is mapping the verdict to HTTP and signing the access token.
 */
@Injectable()
export class TwoFactorVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secondFactor: SecondFactorVerifier,
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly signIns: PendingSignInsService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly settings: TenantSettingsService,
    private readonly state: TwoFactorStateService,
    private readonly notices: RecoveryNotices,
    private readonly devices: RememberedDevices,
  ) {}

  async verify(
    auth: MfaAuthenticated,
    typed: { code?: string; recoveryCode?: string; rememberDevice?: boolean },
    meta: RequestMeta,
  ): Promise<AuthenticatedResponse | ProvenResponse> {
    const { session: signIn, user: known, factor } = auth;
    const remember = typed.rememberDevice === true;
    if (typed.recoveryCode !== undefined)
      return this.recover(auth, typed.recoveryCode, meta, remember);
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
      signIn: {
        tenantId: signIn.tenantId,
        userId: signIn.userId,
        signInId: signIn.id,
        purpose: signIn.purpose,
        policy: signIn.policy,
        notAfter: signIn.expiresAt,
      },
      provider,
      channel,
      code,
      enrolled: enrolled || null,
    });
    const { statement, opening, signedIn, device } = this.signingIn(
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

    const answer = await this.authenticated(
      auth,
      result.twoFactorVersion ?? known.twoFactorVersion,
      signedIn,
      opening,
      device.token(result.row.device_kept === true),
    );
    return result.recoveryCodes ? { ...answer, recoveryCodes: result.recoveryCodes } : answer;
  }

  /** The access token of a sign-in whose session was opened, with the refresh token. */
  private async authenticated(
    { tenant, user: known }: MfaAuthenticated,
    twoFactorVersion: number,
    signedIn: { amr: string[]; acr: '2fa'; authTime: Date },
    opening: { sessionId: string; refreshToken: string },
    deviceToken: string,
  ): Promise<AuthenticatedResponse> {
    const subject = tokenSubject({ ...known, twoFactorVersion }, tenant.slug);
    const { accessToken, expiresIn } = await this.tokens.issueAccess(
      subject,
      signedIn,
      opening.sessionId,
    );
    return {
      status: 'AUTHENTICATED',
      accessToken,
      refreshToken: opening.refreshToken,
      tokenType: 'Bearer',
      expiresIn,
      deviceToken,
    };
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
   * `verify { recoveryCode }` (API.md v1.1 §6): judged by otp's `judgeRecoveryCode` in ONE
   * statement with what a success does, as a code is: a login's sign-in spent and its session
   * opened, or a pending proof (§4) proven. Accepted while the account is locked.
   */
  private async recover(
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
      const { row, answer } = await this.proven<RecoveryVerdictRow>(signIn, judge, meta, base);
      used(row);
      return answer;
    }
    const { statement, opening, signedIn, device } = this.signingIn(
      auth,
      judge,
      meta,
      base,
      remember,
    );
    const [row] = await runPrepared<RecoveryVerdictRow & SignedInRow>(this.dataSource, statement);
    this.accepted(row, row.opened);
    used(row);
    return this.authenticated(
      auth,
      known.twoFactorVersion,
      signedIn,
      opening,
      device.token(row.device_kept === true),
    );
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
      signIn: {
        tenantId: signIn.tenantId,
        userId: signIn.userId,
        signInId: signIn.id,
        purpose: 'login',
        policy: signIn.policy,
        notAfter: signIn.expiresAt,
      },
      provider,
      channel,
      code,
      enrolled,
    });
    const { answer } = await this.proven<VerdictRow>(signIn, judge, meta, {
      channel: type,
      purpose: 'proof',
    });
    return answer;
  }

  /**
   * A proof (v1.1 §4) judged and, on success, the sign-in marked proven, with the audit rows, in
   * one statement; the mfa token stays good for register.
   */
  private async proven<R extends VerdictRow>(
    signIn: PendingSignIn,
    judge: Sql,
    meta: RequestMeta,
    base: Record<string, unknown>,
  ): Promise<{ row: R; answer: ProvenResponse }> {
    const statement = sql`WITH ${judge}, ${this.signIns.proving(signIn.id)},
      ${this.audit.insertion(signIn.tenantId, bySelf(signIn.userId, meta), base, 'sf_events')}
      SELECT v.*, (SELECT count(*) FROM proven)::int AS proven FROM sf_verdict v`;
    const [row] = await runPrepared<R & { proven: number }>(this.dataSource, statement);
    this.accepted(row, row.proven);
    const answer: ProvenResponse = {
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      channel: signIn.channelType,
      proven: true,
    };
    return { row, answer };
  }

  /**
   * Counts the verdict, refuses anything but ok, and 401 when the sign-in was spent meanwhile
   * (`done`: the rows the statement proved or opened).
   */
  private accepted(row: VerdictRow, done: number): void {
    const verdict = verdictOf(row);
    this.metrics.verified(verdict);
    if (verdict.outcome !== 'ok') throw refusal(verdict);
    if (done !== 1) throw new AppException(ErrorCode.UNAUTHENTICATED);
  }

  /**
   * The verify statement of a judged factor: the judging CTEs, the sign-in spent, the session and
   * its first refresh token opened, the device kept or made (remembered when asked and allowed,
   * v1.1 §7), and the audit rows (the verdict's, LOGIN_SUCCEEDED, DEVICE_REMEMBERED), in one.
   */
  private signingIn(
    { session: signIn, user: known }: MfaAuthenticated,
    judge: Sql,
    meta: RequestMeta,
    base: Record<string, unknown>,
    remember: boolean,
  ) {
    const signedIn = { amr: AMR_TWO_FACTOR, acr: '2fa' as const, authTime: new Date() };
    const opening = this.sessions.opening(
      {
        tenantId: signIn.tenantId,
        userId: signIn.userId,
        ...signedIn,
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
      'spent',
    );
    const device = this.devices.using(
      {
        tenantId: signIn.tenantId,
        userId: signIn.userId,
        given: this.signIns.openDeviceToken(signIn.id, signIn.deviceToken),
        name: describeBrowser(meta.userAgent),
        ip: meta.ip,
        remember: remember
          ? { passwordVersion: known.passwordVersion, twoFactorVersion: known.twoFactorVersion }
          : null,
      },
      'opened',
    );
    const statement = sql`WITH ${judge}, ${this.signIns.spending(signIn.id)}, ${opening.ctes},
      ${device.ctes},
      events AS (
        SELECT ord, type, data FROM sf_events
        UNION ALL
        SELECT 9, 'LOGIN_SUCCEEDED',
               jsonb_build_object('amr', ${AMR_TWO_FACTOR}::text[], 'acr', '2fa', 'sessionId', id,
                                  'deviceId', (SELECT id FROM device))
          FROM opened
        UNION ALL ${RememberedDevices.rememberedEvent(10)}
      ), ${this.audit.insertion(signIn.tenantId, bySelf(signIn.userId, meta), base, 'events')}
      SELECT v.*, (SELECT count(*) FROM opened)::int AS opened,
             (SELECT id FROM device) AS device_id, (SELECT kept FROM device) AS device_kept
        FROM sf_verdict v`;
    return { statement, opening, signedIn, device };
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

/** A sign-in of a locked account that no recovery code has finished or proven yet. */
export function recoveryOnly(signIn: PendingSignIn): boolean {
  return signIn.recoveryOnly && signIn.provenAt === null;
}

/** The generic answer for a refused factor; the audit log already has the exact reason. */
export function refusal(v: Verdict): AppException {
  if (v.outcome === 'locked' || v.lockedNow) return lockedError(v.lockedUntil);
  if (v.outcome === 'expired') return new AppException(ErrorCode.OTP_EXPIRED);
  if (v.outcome === 'attempts_exceeded' || v.exhausted)
    return new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED);
  return new AppException(ErrorCode.OTP_INVALID);
}
