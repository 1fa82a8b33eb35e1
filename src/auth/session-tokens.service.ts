import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService, bySelf } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { SessionEndReason } from '../sessions/entities/refresh-session.entity';
import { SessionsService, SignInContext } from '../sessions/sessions.service';
import { TenantsService } from '../tenants/tenants.service';
import { UsersService } from '../users/users.service';
import { describeBrowser } from '../messages/browser-summary';
import { AuthenticatedResponse } from './dto/login.dto';
import { tokenSubject, TokenSubject, TokensService } from './tokens.service';

/** A completed sign-in: the session it opened and the answer that carries its tokens. */
export interface SignedIn {
  sessionId: string;
  deviceId: string;
  answer: AuthenticatedResponse;
}

/**
 * The token pair of a session: opened at the end of a sign-in (password, or password and code),
 * rotated by `POST /v1/auth/refresh`, ended by `POST /v1/auth/logout`.
 */
@Injectable()
export class SessionTokensService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async signIn(
    subject: TokenSubject & { tenantId: string },
    signedIn: SignInContext,
    meta: Pick<RequestMeta, 'ip' | 'userAgent'>,
    /** The login body's `deviceToken`: kept when it is a live device of this user (v1.1 §7). */
    deviceToken: string | null,
  ): Promise<SignedIn> {
    const { sessionId, refreshToken, deviceId, ...device } = await this.sessions.start(
      {
        tenantId: subject.tenantId,
        userId: subject.userId,
        ...signedIn,
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
      { given: deviceToken, name: describeBrowser(meta.userAgent), ip: meta.ip, remember: null },
    );
    const { accessToken, expiresIn } = await this.tokens.issueAccess(subject, signedIn, sessionId);
    return {
      sessionId,
      deviceId,
      answer: {
        status: 'AUTHENTICATED',
        accessToken,
        refreshToken,
        tokenType: 'Bearer',
        expiresIn,
        deviceToken: device.deviceToken,
      },
    };
  }

  /**
   * A new pair for a refresh token. Anything but a live session's current token is 401
   * UNAUTHENTICATED, one answer for all (the audit log tells reuse and timeouts apart).
   */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<AuthenticatedResponse> {
    const r = await this.sessions.rotate(refreshToken, meta);
    if (r.outcome !== 'rotated') throw new AppException(ErrorCode.UNAUTHENTICATED);
    const { session } = r;
    // The user and tenant are read fresh: roles and versions in the new token are today's.
    const [tenant, user] = await Promise.all([
      this.tenants.findById(session.tenantId),
      this.users.findById(session.tenantId, session.userId),
    ]);
    let ended: SessionEndReason | null = null;
    if (!tenant || tenant.status !== 'active') ended = 'tenant_disabled';
    else if (!user) ended = 'user_gone';
    else if (user.disabled) ended = 'user_disabled';
    if (ended !== null || !tenant || !user) {
      // Normally ended with the change itself; this covers a change that raced the rotation.
      await this.sessions.revoke(session.tenantId, session.id, ended ?? 'user_gone', {
        actor: { type: 'user', id: session.userId },
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      throw new AppException(ErrorCode.UNAUTHENTICATED);
    }
    const { accessToken, expiresIn } = await this.tokens.issueAccess(
      tokenSubject(user, tenant.slug),
      session,
      session.id,
    );
    this.audit.recordDetached(session.tenantId, {
      type: AuditEventType.SESSION_REFRESHED,
      ...bySelf(user.id, meta),
      data: { sessionId: session.id },
    });
    return {
      status: 'AUTHENTICATED',
      accessToken,
      refreshToken: r.refreshToken,
      tokenType: 'Bearer',
      expiresIn,
    };
  }

  /** Ends the caller's session: its refresh token and access tokens stop working here at once. */
  async logout(tenantId: string, userId: string, sessionId: string, meta: RequestMeta) {
    const { actor, ip, userAgent } = bySelf(userId, meta);
    await this.sessions.revoke(tenantId, sessionId, 'logout', { actor, ip, userAgent });
  }
}
