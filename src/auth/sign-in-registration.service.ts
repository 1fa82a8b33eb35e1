import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import {
  AppChannelProvider,
  isAppProvider,
  isCodeProvider,
} from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { EmptyBodyPipe, validateBody } from '../common/validation/validation';
import { TwoFactorStateService } from '../otp/two-factor-state.service';
import { UsersService } from '../users/users.service';
import { TwoFactorRequiredResponse } from './dto/two-factor.dto';
import { PendingSignInsService } from './pending-sign-ins.service';
import { proofPending, SignIn } from './sign-in';
import { SignInCodes } from './sign-in-codes.service';

/**
 * `POST /v1/auth/2fa/register` of a pending registration (a login's or self-service's): a code to
 * the address given, or an app's new secret; it becomes the user's registration at verify.
 */
@Injectable()
export class SignInRegistration {
  constructor(
    private readonly channels: ChannelsService,
    private readonly codes: SignInCodes,
    private readonly sessions: PendingSignInsService,
    private readonly state: TwoFactorStateService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /** `POST /v1/auth/2fa/register` for a code channel: a code to the address given (not yet stored). */
  async register(
    signIn: SignIn,
    body: unknown,
    meta: RequestMeta,
  ): Promise<TwoFactorRequiredResponse> {
    const { session } = signIn;
    if (session.purpose !== 'register')
      throw AppException.conflict('This account is already registered for two-factor sign-in.');
    if (proofPending(session)) throw new AppException(ErrorCode.TWO_FACTOR_PROOF_REQUIRED);
    const usable = await this.channels.resolveForSignIn(session.tenantId, session.channelId);
    const provider = usable.provider;
    if (isAppProvider(provider)) return this.enroll(signIn, usable, provider, body, meta);
    if (!isCodeProvider(provider))
      throw new Error(`channel type ${provider.type} has no registration`);
    const dto = await validateBody(provider.registrationDto, body ?? {});
    const destination = provider.destinationOf(dto);
    const status = await this.codes.send(signIn, usable, destination, 'register', 'resend', meta);
    if (status.delivery === 'FAILED') throw new AppException(ErrorCode.OTP_DELIVERY_FAILED);
    return { status: 'TWO_FACTOR_REQUIRED', channel: usable.channel.type, ...status };
  }

  /**
   * App registration: a new secret for this sign-in (replacing one offered before), shown once;
   * it becomes the user's registration when the first valid code is verified.
   */
  private async enroll(
    signIn: SignIn,
    usable: UsableChannel,
    provider: AppChannelProvider,
    body: unknown,
    meta: RequestMeta,
  ): Promise<TwoFactorRequiredResponse> {
    new EmptyBodyPipe().transform(body);
    const { session } = signIn;
    await this.state.assertNotLocked(session.tenantId, session.userId);
    const user = await this.users.findById(session.tenantId, session.userId);
    if (!user) throw new AppException(ErrorCode.UNAUTHENTICATED);
    const enrollment = await provider.enroll(usable.channel, {
      username: user.username,
      tenantName: signIn.tenantName,
    });
    await this.sessions.offerSecret(session.id, enrollment.secret, enrollment.params);
    this.audit.recordDetached(session.tenantId, {
      type: AuditEventType.OTP_SENT,
      ...bySelf(session.userId, meta),
      data: { channel: usable.channel.type, purpose: 'register', delivery: 'enrollment' },
    });
    return {
      status: 'TWO_FACTOR_REQUIRED',
      channel: usable.channel.type,
      secret: enrollment.secret,
      otpauthUri: enrollment.otpauthUri,
      qrCodeDataUrl: enrollment.qrCodeDataUrl,
    };
  }
}
