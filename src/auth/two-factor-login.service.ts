import { Injectable } from '@nestjs/common';
import sql from 'sql-template-tag';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import {
  AppChannelProvider,
  CodeChannelProvider,
  isAppProvider,
  isCodeProvider,
  MessageRecipient,
} from '../channels/providers/channel-provider';
import { EmptyBodyPipe } from '../common/validation/validation';
import { UsersService } from '../users/users.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { validateBody } from '../common/validation/validation';
import { OtpIssuer } from '../otp/otp-issuer.service';
import { MetricsService } from '../observability/metrics.service';
import {
  IssueResult,
  OtpPolicy,
  resendsRemaining,
  SignInRef,
  TwoFactorStateView,
} from '../otp/otp.types';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { isLocked, lockedError, TwoFactorStateService } from '../otp/two-factor-state.service';
import { TwoFactorSettings } from '../tenants/tenant-settings.service';
import {
  TwoFactorRegistration,
  TwoFactorRegistrationsService,
} from '../users/two-factor-registrations.service';
import type { PasswordIdentity } from './password-identity';
import type { LoginContext } from './login-context.service';
import {
  CodeStatusResponse,
  ProofAnswer,
  RegistrationRequiredResponse,
  TwoFactorRequiredResponse,
} from './dto/two-factor.dto';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { NewPendingSignIn, PendingSignInsService } from './pending-sign-ins.service';
import { TokensService } from './tokens.service';

export function policyOf(settings: TwoFactorSettings): OtpPolicy {
  return {
    ...settings.otp,
    lockoutMaxConsecutiveFailures: settings.lockout.maxConsecutiveFailures,
    lockoutDurationSeconds: settings.lockout.durationSeconds,
  };
}

export interface SignIn {
  session: PendingSignIn;
  tenantName: string;
  /** Who the sign-in's mails are for (name, locale), read with the sign-in: no extra query. */
  recipient: MessageRecipient;
}

/** The sign-in of an mfa token's request, with who its mails are for. */
export function signInOf(auth: MfaAuthenticated): SignIn {
  return {
    session: auth.session,
    tenantName: auth.tenant.name,
    recipient: {
      username: auth.user.username,
      displayName: auth.user.displayName,
      locale: { user: auth.user.locale, tenant: auth.tenant.defaultLocale },
    },
  };
}

/** When no channel can reach the user's other factor, only a recovery code proves it. */
export const RECOVERY_CODE_PROOF = 'recovery_code';

interface Proof {
  type: string;
  /** The enabled channel of that type (null: none; an app needs none). */
  usable: UsableChannel | null;
  app: boolean;
  destination?: string;
}

/** A sign-in whose proof (v1.1 §4) is still to come: register waits for it. */
export function proofPending(session: PendingSignIn): boolean {
  return session.proofType !== null && session.provenAt === null;
}

/** What otp needs to know of a sign-in. */
export function signInRef(session: PendingSignIn): SignInRef {
  return {
    tenantId: session.tenantId,
    userId: session.userId,
    signInId: session.id,
    purpose: session.purpose,
    policy: session.policy,
    notAfter: session.expiresAt,
  };
}

/**
 * The second factor of a login: starting it (mfa token, and for a registered user of a code
 * channel the code), registration during login, and resend. Verification is TwoFactorVerifier.
 */
@Injectable()
export class TwoFactorLoginService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly sessions: PendingSignInsService,
    private readonly issuer: OtpIssuer,
    private readonly state: TwoFactorStateService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly metrics: MetricsService,
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
    const status = await this.send(
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
    const status = await this.send(
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
    const status = await this.send(signIn, usable, destination, 'register', 'resend', meta);
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
  private async send(
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
  private async pendingAddress(session: PendingSignIn): Promise<string | null> {
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
