import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql, { Sql } from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { AuditService, bySelf } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta } from '../common/http/request-context';
import { runPrepared } from '../database/prepared-statement';
import { describeBrowser } from '../messages/browser-summary';
import { MetricsService } from '../observability/metrics.service';
import { Verdict } from '../otp/otp.types';
import { VerdictRow, verdictOf } from '../otp/second-factor.statement';
import { lockedError } from '../otp/two-factor-state.service';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { SessionsService } from '../sessions/sessions.service';
import { AuthenticatedResponse } from './dto/login.dto';
import { ProvenResponse } from './dto/two-factor.dto';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { PendingSignInsService } from './pending-sign-ins.service';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { tokenSubject, TokensService } from './tokens.service';

const AMR_TWO_FACTOR = ['pwd', 'otp'];

/** What the verify statement returns beside the verdict. */
export interface SignedInRow {
  opened: number;
  device_id: string | null;
  device_kept: boolean | null;
}

/**
 * What an accepted second factor does, whichever factor it was (a code, an app's code, a recovery
 * code): the statement that spends the sign-in and opens the session (or marks a proof proven),
 * the verdict mapped to HTTP, and the access token.
 */
@Injectable()
export class VerifiedSignIn {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signIns: PendingSignInsService,
    private readonly sessions: SessionsService,
    private readonly devices: RememberedDevices,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /** The access token of a sign-in whose session was opened, with the refresh token. */
  async authenticated(
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

  /**
   * A proof (v1.1 §4) judged and, on success, the sign-in marked proven, with the audit rows, in
   * one statement; the mfa token stays good for register.
   */
  async proven<R extends VerdictRow>(
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
  accepted(row: VerdictRow, done: number): void {
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
  signingIn(
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
}

/** The generic answer for a refused factor; the audit log already has the exact reason. */
export function refusal(v: Verdict): AppException {
  if (v.outcome === 'locked' || v.lockedNow) return lockedError(v.lockedUntil);
  if (v.outcome === 'expired') return new AppException(ErrorCode.OTP_EXPIRED);
  if (v.outcome === 'attempts_exceeded' || v.exhausted)
    return new AppException(ErrorCode.OTP_ATTEMPTS_EXCEEDED);
  return new AppException(ErrorCode.OTP_INVALID);
}
