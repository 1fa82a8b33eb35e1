import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditEntry, AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService } from '../channels/channels.service';
import {
  AppChannelProvider,
  isAppProvider,
  isCodeProvider,
} from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { OtpVerifier } from '../otp/otp-verifier.service';
import { VerifyResult } from '../otp/otp.types';
import { lockedError, TwoFactorStateService } from '../otp/two-factor-state.service';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthenticatedResponse } from './dto/login.dto';
import { MfaSession } from './entities/mfa-session.entity';
import { MfaSessionsService } from './mfa-sessions.service';
import { SessionTokensService } from './session-tokens.service';
import { tokenSubject } from './tokens.service';

/** `POST /v1/auth/2fa/verify`: the code, then (registration confirmed) the access token. */
@Injectable()
export class TwoFactorVerifier {
  constructor(
    private readonly otp: OtpVerifier,
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly users: UsersService,
    private readonly sessions: MfaSessionsService,
    private readonly sessionTokens: SessionTokensService,
    private readonly audit: AuditService,
    private readonly state: TwoFactorStateService,
  ) {}

  async verify(
    session: MfaSession,
    tenantSlug: string,
    code: string,
    meta: RequestMeta,
    /** The user as the mfa-token check read it for this request (saves a read on success). */
    user?: User,
  ): Promise<AuthenticatedResponse> {
    const provider = this.channels.provider(session.channelType);
    const event = (type: AuditEventType, data: Record<string, unknown>): AuditEntry => ({
      type,
      ...bySelf(session.userId, meta),
      data: { channel: session.channelType, purpose: session.purpose, ...data },
    });
    if (isAppProvider(provider))
      return this.verifyApp(session, tenantSlug, code, meta, provider, event, user);
    if (!isCodeProvider(provider)) throw new AppException(ErrorCode.UNAUTHENTICATED);
    const result = await this.otp.verify(
      session.tenantId,
      session.userId,
      session.purpose,
      code,
      session.policy,
    );
    if (result.outcome !== 'ok') throw this.refusal(session, result, event);
    if (session.purpose === 'register' && result.destination) {
      await this.registrations.confirm(
        session.tenantId,
        session.userId,
        session.channelType,
        result.destination,
        meta,
      );
    }
    return this.signedIn(session, tenantSlug, meta, event, user);
  }

  /**
   * An app's code (TOTP): per sign-in attempt limit, the account lock, the window, and no replay
   * of an accepted time step (an atomic compare on the user's last step: one winner).
   */
  private async verifyApp(
    session: MfaSession,
    tenantSlug: string,
    code: string,
    meta: RequestMeta,
    provider: AppChannelProvider,
    event: (type: AuditEventType, data: Record<string, unknown>) => AuditEntry,
    user?: User,
  ): Promise<AuthenticatedResponse> {
    const write = (type: AuditEventType, data: Record<string, unknown> = {}) =>
      this.audit.recordDetached(session.tenantId, event(type, data));
    if (session.wrongTries >= session.policy.maxAttempts) {
      write(AuditEventType.OTP_ATTEMPTS_EXCEEDED, { mfaSessionId: session.id });
      throw new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED);
    }
    await this.state.ensure(session.tenantId, session.userId);
    const lock = (await this.state.of(session.tenantId, [session.userId])).get(session.userId);
    if (lock?.lockedUntil && lock.lockedUntil.getTime() > Date.now()) {
      write(AuditEventType.OTP_FAILED, { reason: 'locked' });
      throw lockedError(lock.lockedUntil);
    }
    const enrolled =
      session.purpose === 'register'
        ? await this.sessions.offeredSecret(session.id)
        : await this.registrations.secretOf(session.tenantId, session.userId, session.channelType);
    let reason = 'no_code';
    if (enrolled) {
      const { channel } = await this.channels.resolveForSignIn(session.tenantId, session.channelId);
      const step = await provider.check(enrolled.secret, enrolled.params, code, channel);
      if (step !== null && (await this.state.acceptStep(session.tenantId, session.userId, step))) {
        if (session.purpose === 'register')
          await this.registrations.confirm(
            session.tenantId,
            session.userId,
            session.channelType,
            null,
            meta,
            {
              secret: enrolled.secret,
              params: enrolled.params,
            },
          );
        return this.signedIn(session, tenantSlug, meta, event, user);
      }
      reason = step === null ? 'wrong' : 'replay';
    }
    const tries = await this.sessions.countWrongTry(session.id);
    const failure = await this.state.recordFailure(
      session.tenantId,
      session.userId,
      session.policy,
    );
    write(AuditEventType.OTP_FAILED, { reason, consecutiveFailures: failure.consecutiveFailures });
    if (failure.lockedNow) {
      write(AuditEventType.TWO_FACTOR_LOCKED, {
        until: failure.lockedNow.toISOString(),
        consecutiveFailures: failure.consecutiveFailures,
      });
      throw lockedError(failure.lockedNow);
    }
    if (tries >= session.policy.maxAttempts) {
      write(AuditEventType.OTP_ATTEMPTS_EXCEEDED, { mfaSessionId: session.id });
      throw new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED);
    }
    throw new AppException(ErrorCode.OTP_INVALID);
  }

  /** The code was right: the sign-in is spent (once) and the access token issued. */
  private async signedIn(
    session: MfaSession,
    tenantSlug: string,
    meta: RequestMeta,
    event: (type: AuditEventType, data: Record<string, unknown>) => AuditEntry,
    known?: User,
  ): Promise<AuthenticatedResponse> {
    if (!(await this.sessions.spend(session.id))) throw new AppException(ErrorCode.UNAUTHENTICATED);
    // A registration just bumped the user's 2FA version: read it again; a login did not.
    const user =
      known && session.purpose === 'login'
        ? known
        : await this.users.findById(session.tenantId, session.userId);
    if (!user) throw new AppException(ErrorCode.UNAUTHENTICATED);
    const amr = ['pwd', 'otp'];
    const { sessionId, answer } = await this.sessionTokens.signIn(
      { ...tokenSubject(user, tenantSlug), tenantId: session.tenantId },
      amr,
      meta,
    );
    this.audit.recordDetached(session.tenantId, [
      event(AuditEventType.OTP_VERIFIED, {}),
      event(AuditEventType.LOGIN_SUCCEEDED, { amr, sessionId }),
    ]);
    return answer;
  }

  /** The generic answer for a refused code; the audit log gets the exact reason. */
  private refusal(
    session: MfaSession,
    r: VerifyResult,
    event: (type: AuditEventType, data: Record<string, unknown>) => AuditEntry,
  ): AppException {
    const write = (type: AuditEventType, data: Record<string, unknown> = {}) =>
      this.audit.recordDetached(session.tenantId, event(type, data));
    if (r.outcome === 'locked') {
      write(AuditEventType.OTP_FAILED, { reason: 'locked' });
      return lockedError(r.lockedUntil ?? new Date());
    }
    if (r.outcome === 'expired') {
      write(AuditEventType.OTP_EXPIRED, { challengeId: r.challengeId });
      return new AppException(ErrorCode.OTP_EXPIRED);
    }
    if (r.outcome === 'attempts_exceeded') {
      write(AuditEventType.OTP_ATTEMPTS_EXCEEDED, { challengeId: r.challengeId });
      return this.lockedOr(r, write, new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED));
    }
    write(AuditEventType.OTP_FAILED, {
      reason: r.outcome,
      challengeId: r.challengeId,
      consecutiveFailures: r.consecutiveFailures,
    });
    if (r.exhausted) {
      write(AuditEventType.OTP_ATTEMPTS_EXCEEDED, { challengeId: r.challengeId });
      return this.lockedOr(r, write, new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED));
    }
    return this.lockedOr(r, write, new AppException(ErrorCode.OTP_INVALID));
  }

  /** When this wrong code locked the account, that is the answer (and an event of its own). */
  private lockedOr(
    r: VerifyResult,
    write: (type: AuditEventType, data?: Record<string, unknown>) => void,
    otherwise: AppException,
  ): AppException {
    if (!r.lockedNow || !r.lockedUntil) return otherwise;
    write(AuditEventType.TWO_FACTOR_LOCKED, {
      until: r.lockedUntil.toISOString(),
      consecutiveFailures: r.consecutiveFailures,
    });
    return lockedError(r.lockedUntil);
  }
}
