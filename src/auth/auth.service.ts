import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { throttleConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { MetricsService } from '../observability/metrics.service';
import { TenantsService } from '../tenants/tenants.service';
import { FailureLimiter } from '../throttling/failure-limiter.service';
import { UserCredentialsService } from '../users/user-credentials.service';
import { AuthenticatedResponse, MeResponse } from './dto/login.dto';
import type { PasswordIdentity } from './password-identity';
import { RegistrationRequiredResponse, TwoFactorRequiredResponse } from './dto/two-factor.dto';
import { AdminUsersService } from './admin-users.service';
import { LoginContext, LoginContextReader } from './login-context.service';
import { Acr } from '../sessions/entities/refresh-session.entity';
import { isLocked } from '../otp/two-factor-state.service';
import { TwoFactorLoginService } from './two-factor-login.service';
import { ChannelsService } from '../channels/channels.service';
import { SessionTokensService } from './session-tokens.service';
import { AccountLimitExemption } from './account-limit-exemption';

/**
 * A remembered device skips the code only where the code would be asked of a registered user:
 * not while the account's 2FA step is locked, and not when the user must register the active
 * channel type (a new factor is always proven).
 */
function rememberedSkips({ device, lock, usable, registrations }: LoginContext): boolean {
  if (!device?.remembered || isLocked(lock) || !usable) return false;
  return registrations.some((r) => r.channelType === usable.channel.type);
}

type FailureReason = 'unknown_user' | 'wrong_password' | 'user_disabled' | 'tenant_disabled';

@Injectable()
export class AuthService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly credentials: UserCredentialsService,
    private readonly sessionTokens: SessionTokensService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly failures: FailureLimiter,
    private readonly loginContext: LoginContextReader,
    private readonly adminUsers: AdminUsersService,
    private readonly twoFactor: TwoFactorLoginService,
    private readonly channels: ChannelsService,
    private readonly exemption: AccountLimitExemption,
    @Inject(throttleConfig.KEY) private readonly failureLimits: ConfigType<typeof throttleConfig>,
  ) {}

  /**
   * Stage 1. Unknown tenant, unknown user, wrong password, disabled user or tenant: one
   * INVALID_CREDENTIALS, and always one argon2 verify (a dummy one when there is no user), so
   * neither the answer nor its timing tells them apart. The audit log keeps the exact reason.
   */
  async checkPassword(
    tenantSlug: string,
    username: string,
    password: string,
    meta: RequestMeta,
    deviceToken?: string,
  ): Promise<PasswordIdentity> {
    // `username` is prepared (RFC 8265, LoginDto): the key of every variant of a name is one key.
    const accountKey = [tenantSlug.toLowerCase(), username].join('\u0000');
    const failureKey = [accountKey, meta.ip].join('\u0000');
    try {
      this.credentials.assertHashCapacity();
      await this.failures.assertAllowed(failureKey);
      // v1.1 §9: every address together; even the right password waits (no hash is spent),
      // unless the login carries a device token of that account (asked only when throttled).
      await this.failures.assertAccountAllowed(accountKey).catch(async (e: unknown) => {
        const exempt =
          e instanceof AppException &&
          e.code === ErrorCode.TOO_MANY_REQUESTS &&
          (await this.exemption.appliesTo({ tenantSlug, username, meta, deviceToken }));
        if (!exempt) throw e;
      });
    } catch (e) {
      const throttled = e instanceof AppException && e.code === ErrorCode.TOO_MANY_REQUESTS;
      this.metrics.loginOutcome(throttled ? 'throttled' : 'unavailable');
      throw e;
    }
    const tenant = await this.tenants.findBySlug(tenantSlug);
    // Always the same queries and one argon2 verify, whatever is missing.
    const user = await this.credentials.findCredentials(tenant?.id ?? null, username);
    let ok: boolean;
    try {
      ok = await this.credentials.verifyPassword(user, password);
    } catch (e) {
      this.metrics.loginOutcome('unavailable');
      throw e;
    }
    let reason: FailureReason | null = null;
    if (!user) reason = 'unknown_user';
    else if (!ok) reason = 'wrong_password';
    else if (tenant?.status !== 'active') reason = 'tenant_disabled';
    else if (user.disabled) reason = 'user_disabled';
    if (reason !== null || !tenant || !user) {
      let throttledNow: boolean;
      try {
        // Fails closed: a failure that cannot be counted is not answered as one.
        await this.failures.recordFailure(failureKey);
        throttledNow = await this.failures.recordAccountFailure(accountKey);
      } catch (e) {
        this.metrics.loginOutcome('unavailable');
        throw e;
      }
      this.metrics.loginOutcome('invalid_credentials');
      // Who tried, from where: the user when the username is one, else nobody.
      const attempt = {
        userId: user?.id ?? null,
        actor: { type: 'user', id: user?.id ?? null },
        ip: meta.ip,
        userAgent: meta.userAgent,
      } as const;
      if (tenant && throttledNow) {
        // Once per hour and account: the failure that crossed THROTTLE_ACCOUNT_FAILURES_PER_HOUR.
        this.audit.recordDetached(tenant.id, {
          type: AuditEventType.LOGIN_THROTTLED,
          ...attempt,
          data: {
            reason: 'account_failures',
            ...(user ? { username: user.username } : {}),
            limitPerHour: this.failureLimits.accountFailuresPerHour,
          },
        });
      }
      if (tenant) {
        // Detached: the answer must not wait on a write an unknown tenant would not make. The
        // typed name is kept only when it is a real username (people type passwords there).
        this.audit.recordDetached(tenant.id, {
          type: AuditEventType.LOGIN_FAILED,
          ...attempt,
          data: user ? { reason, username: user.username } : { reason },
        });
      }
      throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    }
    return {
      userId: user.id,
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      tenantName: tenant.name,
      tenantLocale: tenant.defaultLocale,
      username: user.username,
      displayName: user.displayName,
      userLocale: user.locale,
      roles: user.roles,
      passwordVersion: user.passwordVersion,
      twoFactorVersion: user.twoFactorVersion,
    };
  }

  /**
   * After stage 1: with 2FA off, the access token; with 2FA on (settings read fresh, so a change
   * holds for the very next login on every instance), the second factor.
   */
  async completeLogin(
    identity: PasswordIdentity,
    meta: RequestMeta,
    deviceToken: string | null = null,
  ): Promise<AuthenticatedResponse | RegistrationRequiredResponse | TwoFactorRequiredResponse> {
    const context = await this.loginContext.read(identity.tenantId, identity.userId, {
      token: deviceToken,
      passwordVersion: identity.passwordVersion,
      twoFactorVersion: identity.twoFactorVersion,
    });
    // The token is kept only when it names a live device of this user; else a new device.
    const knownToken = context.device ? deviceToken : null;
    let acr: Acr = 'pwd';
    if (context.settings.enabled && context.usable) {
      if (!rememberedSkips(context)) {
        const answer = await this.twoFactor.start(identity, context, meta, knownToken);
        this.metrics.loginOutcome('second_factor');
        return answer;
      }
      // A remembered device of this user (v1.1 §7): the second factor is not asked again.
      acr = '2fa-remembered';
    }
    const amr = ['pwd'];
    const { sessionId, deviceId, answer } = await this.sessionTokens.signIn(
      {
        userId: identity.userId,
        tenantId: identity.tenantId,
        tenantSlug: identity.tenantSlug,
        roles: identity.roles,
        passwordVersion: identity.passwordVersion,
        twoFactorVersion: identity.twoFactorVersion,
      },
      { amr, acr, authTime: new Date() },
      meta,
      knownToken,
    );
    await this.audit.record(identity.tenantId, {
      type: AuditEventType.LOGIN_SUCCEEDED,
      userId: identity.userId,
      actor: { type: 'user', id: identity.userId },
      ip: meta.ip,
      userAgent: meta.userAgent,
      data: { amr, acr, sessionId, deviceId },
    });
    this.metrics.loginOutcome('authenticated');
    return answer;
  }

  /** The signed-in user; the 2FA address is masked here (only admin responses show it whole). */
  async me(tenantId: string, tenantSlug: string, userId: string): Promise<MeResponse> {
    const user = await this.adminUsers.get(tenantId, userId);
    const tf = user.twoFactor;
    const provider = tf.channelType ? this.channels.provider(tf.channelType) : undefined;
    return {
      id: user.id,
      username: user.username,
      tenant: tenantSlug,
      roles: user.roles,
      twoFactor: {
        registered: tf.registered,
        channelType: tf.channelType,
        destination: tf.destination && provider ? provider.maskDestination(tf.destination) : null,
        registeredAt: tf.registeredAt,
        recoveryCodesRemaining: tf.recoveryCodesRemaining,
      },
    };
  }
}
