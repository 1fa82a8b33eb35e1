import { Injectable } from '@nestjs/common';
import sql from 'sql-template-tag';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import { CodeChannelProvider, isCodeProvider } from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { MetricsService } from '../observability/metrics.service';
import { OtpIssuer } from '../otp/otp-issuer.service';
import { IssueResult, resendsRemaining } from '../otp/otp.types';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { CodeStatusResponse } from './dto/two-factor.dto';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { proofPending, SignIn, signInRef } from './sign-in';

/**
 * The codes of a pending sign-in: the login's first code, a registration's code and resend
 * (`POST /v1/auth/2fa/resend`), each through otp's issuer, with the refusals audited and counted.
 */
@Injectable()
export class SignInCodes {
  constructor(
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly issuer: OtpIssuer,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /** `POST /v1/auth/2fa/resend`: a new code to the same address, within cooldown and cap. */
  async resend(signIn: SignIn, meta: RequestMeta): Promise<CodeStatusResponse> {
    const { session } = signIn;
    if (session.recoveryOnly && session.provenAt === null)
      throw AppException.conflict('This sign-in takes a recovery code only: nothing to resend.');
    if (proofPending(session)) return this.resendProof(signIn, meta);
    const usable = await this.channels.resolveForSignIn(session.tenantId, session.channelId);
    if (!isCodeProvider(usable.provider))
      throw AppException.conflict('This channel has no codes to resend: use the app.');
    const destination =
      session.purpose === 'login'
        ? (await this.registrations.find(session.tenantId, session.userId, usable.channel.type))
            ?.destination
        : await this.pendingAddress(session);
    if (!destination)
      throw AppException.conflict('There is no address to send a code to: register one first.');
    const status = await this.send(signIn, usable, destination, session.purpose, 'resend', meta);
    if (status.delivery === 'FAILED') throw new AppException(ErrorCode.OTP_DELIVERY_FAILED);
    return status;
  }

  /** Resend while the proof is pending: a new code to the address the user already has. */
  private async resendProof(signIn: SignIn, meta: RequestMeta): Promise<CodeStatusResponse> {
    const { session } = signIn;
    if (!session.proofChannelId || !session.proofType)
      throw AppException.conflict('This proof has no codes to resend.');
    const usable = await this.channels.resolveForSignIn(session.tenantId, session.proofChannelId);
    const registered = await this.registrations.find(
      session.tenantId,
      session.userId,
      session.proofType,
    );
    if (!isCodeProvider(usable.provider) || !registered?.destination)
      throw AppException.conflict('This proof has no codes to resend.');
    const status = await this.send(signIn, usable, registered.destination, 'login', 'resend', meta);
    if (status.delivery === 'FAILED') throw new AppException(ErrorCode.OTP_DELIVERY_FAILED);
    return status;
  }

  /**
   * One code through the OTP lifecycle. Mode `login` (the login's own code) answers a cooldown
   * with ALREADY_SENT/COOLDOWN; `resend` (resend, register) is refused inside it. Every code after
   * the first of a sign-in counts against maxResendsPerLogin.
   */
  async send(
    signIn: SignIn,
    usable: UsableChannel,
    destination: string,
    purpose: 'login' | 'register',
    mode: 'login' | 'resend',
    meta: RequestMeta,
    /** The sign-in was created by this request (login): its code is claimed in one statement. */
    fresh = false,
  ): Promise<CodeStatusResponse> {
    const { session } = signIn;
    const policy = session.policy;
    const provider = usable.provider as CodeChannelProvider;
    let result: IssueResult;
    try {
      result = await this.issuer.issue({
        ...signInRef(session),
        purpose,
        tenantName: signIn.tenantName,
        recipient: signIn.recipient,
        channel: usable,
        destination,
        ip: session.ip ?? meta.ip,
        userAgent: session.userAgent ?? meta.userAgent,
        mode,
        fresh,
        // OTP_SENT is written by the statement that marks the code delivered.
        onDelivered: () =>
          sql`sent AS (SELECT 1 AS ord, ${AuditEventType.OTP_SENT}::text AS type, '{}'::jsonb AS data),
              ${this.audit.insertion(session.tenantId, bySelf(session.userId, meta), { channel: usable.channel.type, destination, purpose }, 'sent')}`,
      });
    } catch (e) {
      if (e instanceof AppException) {
        const reason = {
          [ErrorCode.OTP_RESEND_LIMIT]: 'resend_limit',
          [ErrorCode.OTP_RESEND_COOLDOWN]: 'cooldown',
          [ErrorCode.TWO_FACTOR_LOCKED]: 'locked',
        }[e.code as string];
        if (reason) this.refused(session, meta, reason, e.retryAfterSeconds);
      }
      throw e;
    }
    this.metrics.codeRequested(usable.channel.type, result.delivery);
    const masked = provider.maskDestination(destination);
    if (result.delivery === 'FAILED') {
      this.audit.recordDetached(session.tenantId, {
        type: AuditEventType.OTP_DELIVERY_FAILED,
        ...bySelf(session.userId, meta),
        data: { channel: usable.channel.type, destination, purpose, reason: result.failureReason },
      });
    }
    return {
      destination: masked,
      delivery: result.delivery,
      ...(result.expiresAt ? { expiresAt: result.expiresAt.toISOString() } : {}),
      resendAvailableAt: result.resendAvailableAt.toISOString(),
      resendsRemaining: resendsRemaining(result.codesSent, policy.maxResendsPerLogin),
    };
  }

  /** The address of this sign-in's newest registration code. */
  async pendingAddress(session: PendingSignIn): Promise<string | null> {
    return this.issuer.latestDestination({ ...signInRef(session), purpose: 'register' });
  }

  private refused(
    session: PendingSignIn,
    meta: RequestMeta,
    reason: string,
    retryAfterSeconds?: number,
  ): void {
    this.metrics.resendRefused(reason);
    this.audit.recordDetached(session.tenantId, {
      type: AuditEventType.OTP_RESEND_REFUSED,
      ...bySelf(session.userId, meta),
      data: { reason, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
    });
  }
}
