import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { AuditService, bySelf } from '../audit/audit.service';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import { isAppProvider } from '../channels/providers/channel-provider';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { RequestMeta, UserPrincipal } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { MetricsService } from '../observability/metrics.service';
import { OtpIssuer } from '../otp/otp-issuer.service';
import { SecondFactorVerifier } from '../otp/second-factor-verifier.service';
import { VerdictRow, verdictOf } from '../otp/second-factor.statement';
import { isLocked, lockedError } from '../otp/two-factor-state.service';
import { SessionsService } from '../sessions/sessions.service';
import { TenantsService } from '../tenants/tenants.service';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { MeTwoFactorDto } from './dto/login.dto';
import { TwoFactorRequiredResponse } from './dto/two-factor.dto';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { LoginContextReader } from './login-context.service';
import { PendingSignInsService } from './pending-sign-ins.service';
import { policyOf, signInRef } from './sign-in';
import { SignInRegistration } from './sign-in-registration.service';
import { refusal } from './verified-sign-in.service';

const noPending = () =>
  AppException.conflict('There is no pending registration to confirm: register first.');

/**
 * Self-service 2FA (API.md v1.1 §8): a signed-in user (behind RecentSecondFactorGuard) replaces
 * their factor of the active channel type. `register` opens a pending registration (an mfa session
 * bound to the caller's refresh session, with no mfa token) and runs the login-time register on it,
 * so codes, cooldown, attempts and secrets follow the same rules and code; the current factor
 * stays in force. `confirm` judges the code with otp's statement and, in ONE transaction with that
 * judgement, stores the new registration, ends the user's other sessions and writes the events.
 */
@Injectable()
export class MeTwoFactor {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly context: LoginContextReader,
    private readonly signIns: PendingSignInsService,
    private readonly registration: SignInRegistration,
    private readonly issuer: OtpIssuer,
    private readonly secondFactor: SecondFactorVerifier,
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly sessions: SessionsService,
    private readonly devices: RememberedDevices,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly auth: AuthService,
  ) {}

  /** `POST /v1/auth/me/2fa/register`: the active type's register body; a code or a secret. */
  async register(
    principal: UserPrincipal,
    body: unknown,
    meta: RequestMeta,
  ): Promise<TwoFactorRequiredResponse> {
    const { tenantId, userId } = principal;
    const [ctx, user, tenant] = await Promise.all([
      // No device to look up: this is not a login (v1.1 §7 concerns logins only).
      this.context.read(tenantId, userId, { token: null, passwordVersion: 0, twoFactorVersion: 0 }),
      this.users.findById(tenantId, userId),
      this.tenants.findById(tenantId),
    ]);
    if (!user || !tenant) throw new AppException(ErrorCode.UNAUTHENTICATED);
    if (!ctx.settings.enabled || !ctx.usable)
      throw AppException.conflict('Two-factor sign-in is off for this tenant: nothing to change.');
    if (isLocked(ctx.lock)) throw lockedError(ctx.lock.lockedUntil);
    const usable: UsableChannel = ctx.usable;
    const pending = await this.signIns.create({
      tenantId,
      userId,
      purpose: 'register',
      channelId: usable.channel.id,
      channelType: usable.channel.type,
      passwordVersion: user.passwordVersion,
      twoFactorVersion: user.twoFactorVersion,
      policy: policyOf(ctx.settings),
      proofType: null,
      proofChannelId: null,
      selfServiceSessionId: principal.sid,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    let answer: TwoFactorRequiredResponse;
    try {
      // An app's registration has its challenge too: its attempts are counted there.
      if (isAppProvider(usable.provider))
        await this.issuer.prompt(signInRef(pending), usable.channel.type);
      answer = await this.registration.register(
        {
          session: pending,
          tenantName: tenant.name,
          recipient: {
            username: user.username,
            displayName: user.displayName,
            locale: { user: user.locale, tenant: tenant.defaultLocale },
          },
        },
        body,
        meta,
      );
    } catch (e) {
      // A refused register (bad body, cooldown, delivery) leaves the earlier pending one as it was.
      await this.signIns.dropSelfService(tenantId, pending.id);
      throw e;
    }
    await this.signIns.dropOtherSelfService(tenantId, userId, pending.id);
    return answer;
  }

  /** `POST /v1/auth/me/2fa/confirm { code }`: the pending registration becomes the factor. */
  async confirm(
    principal: UserPrincipal,
    code: string,
    meta: RequestMeta,
  ): Promise<{ twoFactor: MeTwoFactorDto }> {
    const { tenantId, userId } = principal;
    const [pending, user] = await Promise.all([
      this.signIns.pendingSelfService(tenantId, userId, principal.sid),
      this.users.findById(tenantId, userId),
    ]);
    if (!user) throw new AppException(ErrorCode.UNAUTHENTICATED);
    // Begun before a password change or another 2FA change: not this account's state any more.
    if (
      !pending ||
      pending.twoFactorVersion !== user.twoFactorVersion ||
      pending.passwordVersion !== user.passwordVersion
    )
      throw noPending();
    const usable = await this.usableChannel(pending);
    const app = isAppProvider(usable.provider);
    const enrolled =
      app && pending.pendingSecret
        ? {
            secret: this.signIns.openOffered(pending.id, pending.pendingSecret),
            params: pending.pendingParams ?? {},
          }
        : null;
    if (app && !enrolled) throw noPending();
    const judge = await this.secondFactor.judge({
      signIn: signInRef(pending),
      provider: usable.provider,
      channel: app ? usable.channel : null,
      code,
      enrolled,
    });
    const base = { channel: pending.channelType, purpose: 'register', selfService: true };
    const statement = sql`WITH ${judge}, ${this.signIns.spending(pending.id)},
      ${this.audit.insertion(tenantId, bySelf(userId, meta), base, 'sf_events')}
      SELECT v.*, (SELECT count(*) FROM spent)::int AS spent FROM sf_verdict v`;

    const result = await this.dataSource.transaction(async (m) => {
      const [row] = await runPrepared<VerdictRow & { spent: number }>(
        this.dataSource,
        statement,
        m,
      );
      const verdict = verdictOf(row);
      // A refused code commits its count (attempts, the account's failures) and nothing else.
      if (verdict.outcome !== 'ok' || row.spent !== 1) return { verdict, done: false };
      const by = bySelf(userId, meta);
      // The new registration replaces the old one of its type (the 2FA version moves on, which
      // ends sign-ins begun with the old factor) ...
      await this.registrations.confirm(
        tenantId,
        userId,
        pending.channelType,
        app ? null : verdict.destination,
        meta,
        app && enrolled
          ? { secret: enrolled.secret, params: enrolled.params }
          : { contactEmail: usable.provider.destinationIsEmail ? verdict.destination : null },
        m,
      );
      // ... the user's remembered devices are revoked (a device remembered with the old factor
      // must not stand in for the new one) ...
      await this.devices.revokeAllForUser(tenantId, userId, 'two_factor_changed', by, m);
      // ... and every other session of the user ends; the caller's stays (refresh it: its access
      // tokens carry the old 2FA version).
      await this.sessions.revokeOthersOfUser(
        tenantId,
        userId,
        principal.sid,
        'two_factor_changed',
        { actor: by.actor, ip: by.ip, userAgent: by.userAgent },
        m,
      );
      return { verdict, done: true };
    });
    this.metrics.verified(result.verdict);
    if (result.verdict.outcome !== 'ok') throw refusal(result.verdict);
    // Right code, but a concurrent confirm or register took the pending registration first.
    if (!result.done) throw noPending();
    const me = await this.auth.me(tenantId, principal.tenantSlug, userId);
    return { twoFactor: me.twoFactor };
  }

  /** The pending registration's channel, still there and enabled; else nothing to confirm. */
  private async usableChannel(pending: PendingSignIn): Promise<UsableChannel> {
    try {
      const usable = await this.channels.resolve(pending.tenantId, pending.channelId);
      if (usable.channel.enabled) return usable;
    } catch (e) {
      if (!(e instanceof AppException && e.code === ErrorCode.NOT_FOUND)) throw e;
    }
    throw noPending();
  }
}
