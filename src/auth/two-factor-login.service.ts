import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import { isAppProvider, isCodeProvider } from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { OtpIssuer } from '../otp/otp-issuer.service';
import { TwoFactorStateView } from '../otp/otp.types';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { isLocked, lockedError } from '../otp/two-factor-state.service';
import { TwoFactorSettings } from '../tenants/tenant-settings.service';
import { TwoFactorRegistration } from '../users/two-factor-registrations.service';
import {
  ProofAnswer,
  RegistrationRequiredResponse,
  TwoFactorRequiredResponse,
} from './dto/two-factor.dto';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import type { LoginContext } from './login-context.service';
import type { PasswordIdentity } from './password-identity';
import { NewPendingSignIn, PendingSignInsService } from './pending-sign-ins.service';
import { policyOf, RECOVERY_CODE_PROOF, SignIn, signInRef } from './sign-in';
import { SignInCodes } from './sign-in-codes.service';
import { TokensService } from './tokens.service';

interface Proof {
  type: string;
  /** The enabled channel of that type (null: none; an app needs none). */
  usable: UsableChannel | null;
  app: boolean;
  destination?: string;
}

/**
 * The start of a login's second factor: the pending sign-in, its mfa token and, for a registered
 * user of a code channel, the code (or, for a locked account, the recovery-code-only sign-in).
 * Registration is SignInRegistration, resend SignInCodes, verification TwoFactorVerifier.
 */
@Injectable()
export class TwoFactorLoginService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly sessions: PendingSignInsService,
    private readonly issuer: OtpIssuer,
    private readonly codes: SignInCodes,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  /** Password accepted and 2FA on: the login answer (mfa token, maybe a code on its way). */
  async start(
    identity: PasswordIdentity,
    { settings, lock, usable: active, registrations: all }: LoginContext,
    meta: RequestMeta,
    /** The login's token of a live device of this user: the verify keeps that device. */
    deviceToken: string | null = null,
  ): Promise<RegistrationRequiredResponse | TwoFactorRequiredResponse> {
    if (isLocked(lock)) {
      this.audit.recordDetached(identity.tenantId, {
        type: AuditEventType.LOGIN_FAILED,
        ...bySelf(identity.userId, meta),
        data: {
          reason: 'locked',
          lockedUntil: lock.lockedUntil?.toISOString() ?? null,
          lockedIndefinitely: lock.lockedIndefinitely,
        },
      });
      throw await this.lockedAnswer(identity, settings, active as UsableChannel, all, meta, lock, {
        deviceToken,
      });
    }
    const usable = active as UsableChannel;
    const registration = all.find((r) => r.channelType === usable.channel.type);
    // Adding a factor while another is confirmed: that one is proven first (v1.1 §4).
    const proof = registration ? null : await this.proofFor(identity.tenantId, all);
    const session = await this.openSignIn(identity, settings, usable, !!registration, meta, {
      proofType: proof?.type ?? null,
      proofChannelId: proof?.usable?.channel.id ?? null,
      deviceToken,
    });
    const expiresIn = Math.round((session.expiresAt.getTime() - Date.now()) / 1000);
    const ref = signInRef(session);
    const [mfaToken] = await Promise.all([
      this.tokens.issueMfa(
        { userId: identity.userId, tenantSlug: identity.tenantSlug },
        session.id,
        expiresIn,
      ),
      // An app's sign-in has its challenge too: the attempts of the sign-in are counted there.
      isAppProvider(usable.provider) ? this.issuer.prompt(ref, usable.channel.type) : undefined,
      proof?.app ? this.issuer.prompt({ ...ref, purpose: 'login' }, proof.type) : undefined,
    ]);
    const signIn: SignIn = {
      session,
      tenantName: identity.tenantName,
      recipient: {
        username: identity.username,
        displayName: identity.displayName,
        locale: { user: identity.userLocale, tenant: identity.tenantLocale },
      },
    };
    if (!registration) {
      return {
        status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
        mfaToken,
        channel: usable.channel.type,
        expiresIn,
        ...(proof ? { proof: await this.proofAnswer(signIn, proof, meta) } : {}),
      };
    }
    if (!isCodeProvider(usable.provider)) {
      return { status: 'TWO_FACTOR_REQUIRED', mfaToken, channel: usable.channel.type, expiresIn };
    }
    const status = await this.codes.send(
      signIn,
      usable,
      registration.destination ?? '',
      'login',
      'login',
      meta,
      true,
    );
    return {
      status: 'TWO_FACTOR_REQUIRED',
      mfaToken,
      channel: usable.channel.type,
      ...status,
      expiresIn,
    };
  }

  /** The pending sign-in of a login on the active channel (its mfa token names it). */
  private openSignIn(
    identity: PasswordIdentity,
    settings: TwoFactorSettings,
    usable: UsableChannel,
    registered: boolean,
    meta: RequestMeta,
    how: Pick<NewPendingSignIn, 'proofType' | 'proofChannelId' | 'recoveryOnly' | 'deviceToken'>,
  ): Promise<PendingSignIn> {
    return this.sessions.create({
      tenantId: identity.tenantId,
      userId: identity.userId,
      purpose: registered ? 'login' : 'register',
      channelId: usable.channel.id,
      channelType: usable.channel.type,
      passwordVersion: identity.passwordVersion,
      twoFactorVersion: identity.twoFactorVersion,
      policy: policyOf(settings),
      ...how,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }

  /**
   * The login of a locked account (API.md v1.1 §6): 429 TWO_FACTOR_LOCKED and nothing sent; when
   * the user has unused recovery codes, the body also carries an mfa token whose sign-in takes
   * only `verify { recoveryCode }` (and `recoveryCodeAllowed: true`).
   */
  private async lockedAnswer(
    identity: PasswordIdentity,
    settings: TwoFactorSettings,
    usable: UsableChannel,
    all: TwoFactorRegistration[],
    meta: RequestMeta,
    lock: TwoFactorStateView,
    { deviceToken }: { deviceToken: string | null },
  ): Promise<AppException> {
    const locked = lockedError(lock.lockedUntil);
    const left = (await this.recoveryCodes.remaining(identity.tenantId, [identity.userId])).get(
      identity.userId,
    );
    if (!left) return locked;
    const registration = all.find((r) => r.channelType === usable.channel.type);
    // No registration of the active type: the recovery code is the proof (v1.1 §4), then register.
    const session = await this.openSignIn(identity, settings, usable, !!registration, meta, {
      proofType: registration ? null : RECOVERY_CODE_PROOF,
      proofChannelId: null,
      recoveryOnly: true,
      deviceToken,
    });
    const expiresIn = Math.round((session.expiresAt.getTime() - Date.now()) / 1000);
    const mfaToken = await this.tokens.issueMfa(
      { userId: identity.userId, tenantSlug: identity.tenantSlug },
      session.id,
      expiresIn,
    );
    return new AppException(ErrorCode.TWO_FACTOR_LOCKED, {
      retryAfterSeconds: locked.retryAfterSeconds,
      extra: { ...locked.extra, mfaToken, recoveryCodeAllowed: true },
    });
  }

  /**
   * The factor a user who adds one must prove: a confirmed registration of another type that the
   * tenant can still reach (a code channel needs an enabled channel of its type; an app needs
   * nothing of the server), newest first; else only a recovery code (or the admin's reset).
   */
  private async proofFor(tenantId: string, others: TwoFactorRegistration[]): Promise<Proof | null> {
    if (others.length === 0) return null;
    for (const r of [...others].reverse()) {
      const provider = this.channels.findProvider(r.channelType);
      if (!provider) continue;
      const usable = await this.channels.enabledOfType(tenantId, r.channelType);
      if (isAppProvider(provider)) return { type: r.channelType, usable, app: true };
      if (isCodeProvider(provider) && usable && r.destination)
        return { type: r.channelType, usable, app: false, destination: r.destination };
    }
    return { type: RECOVERY_CODE_PROOF, usable: null, app: false };
  }

  /** What the login answer says of the proof; a code channel's code goes out now. */
  private async proofAnswer(signIn: SignIn, proof: Proof, meta: RequestMeta): Promise<ProofAnswer> {
    if (!proof.usable || proof.app || !proof.destination) return { channel: proof.type };
    const status = await this.codes.send(
      signIn,
      proof.usable,
      proof.destination,
      'login',
      'login',
      meta,
      true,
    );
    return { channel: proof.type, ...status };
  }
}
