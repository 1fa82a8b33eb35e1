import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { cryptoConfig, mailConfig } from '../../config/app-config';
import { ChannelsService } from '../channels/channels.service';
import { DeliveryError } from '../channels/providers/channel-provider';
import { CodeHasher } from '../common/crypto/code-hasher';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { requireTenant } from '../database/query-guards';
import { IssueRequest, IssueResult } from './otp.types';
import { lockedError, secondsUntil, TwoFactorStateService } from './two-factor-state.service';

interface Claim {
  previous: Date | null;
  claimed: Date;
}

/**
 * Issues codes (rules 1, 3, 4): claims the user's cooldown atomically (so of many parallel
 * requests one sends), supersedes older live codes and inserts the new one in one transaction,
 * delivers outside it, and gives the cooldown back when the delivery fails.
 */
@Injectable()
export class OtpIssuer {
  private readonly hasher: CodeHasher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly channels: ChannelsService,
    private readonly state: TwoFactorStateService,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
  ) {
    this.hasher = new CodeHasher(crypto.otpHashKey);
  }

  issue(req: IssueRequest): Promise<IssueResult> {
    return this.issueOnce(req, false);
  }

  private async issueOnce(req: IssueRequest, retried: boolean): Promise<IssueResult> {
    requireTenant(req.tenantId);
    await this.state.ensure(req.tenantId, req.userId);
    const provider = req.channel.provider;
    const destinationKey = provider.destinationKey(req.destination);
    const code = CodeHasher.generate(req.policy.length);
    const expiresAt = new Date(
      Math.min(Date.now() + req.policy.ttlSeconds * 1000, req.notAfter.getTime()),
    );
    // One transaction claims the cooldown, reserves the sign-in's quota and stores the new code,
    // so whoever loses the claim (and waits on its row lock) then sees the live code: ALREADY_SENT.
    const issued = await this.dataSource.transaction(async (m) => {
      const claim = await this.claimCooldown(req, m);
      if (!claim) return null;
      if (req.reserve && !(await req.reserve(m)))
        throw new AppException(ErrorCode.OTP_RESEND_LIMIT);
      if (req.purpose === 'login') {
        // Serialise issuers of one address: the partial unique index then never trips.
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `otp:${req.tenantId}:${destinationKey}`,
        ]);
        await m.query(
          `UPDATE otp_challenges SET status = 'superseded'
            WHERE tenant_id = $1 AND status = 'live'
              AND ((purpose = 'login' AND destination_key = $2) OR user_id = $3)`,
          [req.tenantId, destinationKey, req.userId],
        );
      } else {
        // A registration code replaces only the registering user's own codes.
        await m.query(
          `UPDATE otp_challenges SET status = 'superseded'
            WHERE tenant_id = $1 AND user_id = $2 AND status = 'live'`,
          [req.tenantId, req.userId],
        );
      }
      const [row] = (await m.query(
        `INSERT INTO otp_challenges
           (tenant_id, user_id, mfa_session_id, purpose, channel_type, destination, destination_key,
            code_hash, max_attempts, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          req.tenantId,
          req.userId,
          req.mfaSessionId,
          req.purpose,
          req.channel.channel.type,
          req.destination,
          destinationKey,
          this.hasher.hash(req.userId, code),
          req.policy.maxAttempts,
          expiresAt,
        ],
      )) as Array<{ id: string }>;
      return { claim, challengeId: row.id };
    });
    if (!issued) return this.insideCooldown(req, retried);
    const { claim, challengeId } = issued;

    try {
      await this.channels.deliver(req.channel, {
        to: req.destination,
        code,
        purpose: req.purpose,
        expiresInSeconds: (expiresAt.getTime() - Date.now()) / 1000,
        tenantName: req.tenantName,
        ip: req.ip,
        userAgent: req.userAgent,
      });
    } catch (e) {
      await this.failed(challengeId, req.userId, claim);
      await req.release?.();
      if (e instanceof DeliveryError)
        return { delivery: 'FAILED', resendAvailableAt: new Date(), failureReason: e.reason };
      throw e;
    }
    await this.dataSource.query(`UPDATE otp_challenges SET delivered_at = now() WHERE id = $1`, [
      challengeId,
    ]);
    return {
      delivery: 'SENT',
      expiresAt,
      resendAvailableAt: new Date(
        claim.claimed.getTime() + req.policy.resendCooldownSeconds * 1000,
      ),
    };
  }

  /** The address of the newest code of `purpose` sent for a sign-in (a pending registration). */
  async latestDestination(
    tenantId: string,
    userId: string,
    purpose: 'login' | 'register',
    mfaSessionId: string,
  ): Promise<string | null> {
    requireTenant(tenantId);
    const [row] = (await this.dataSource.query(
      `SELECT destination FROM otp_challenges
        WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND mfa_session_id = $4
        ORDER BY created_at DESC LIMIT 1`,
      [tenantId, userId, purpose, mfaSessionId],
    )) as Array<{ destination: string }>;
    return row?.destination ?? null;
  }

  /**
   * Takes the send slot if the cooldown is over and the account not locked. (Milliseconds, so the
   * claim can be compared exactly when it is given back.)
   */
  private async claimCooldown(req: IssueRequest, m: EntityManager): Promise<Claim | null> {
    const rows = (await m.query(
      `WITH prev AS (
         SELECT user_id, last_delivery_at FROM two_factor_state WHERE user_id = $1 FOR UPDATE
       )
       UPDATE two_factor_state s SET last_delivery_at = date_trunc('milliseconds', clock_timestamp())
         FROM prev
        WHERE s.user_id = prev.user_id
          AND (s.locked_until IS NULL OR s.locked_until <= now())
          AND (prev.last_delivery_at IS NULL
               OR prev.last_delivery_at <= clock_timestamp() - make_interval(secs => $2))
       RETURNING prev.last_delivery_at AS previous, s.last_delivery_at AS claimed`,
      [req.userId, req.policy.resendCooldownSeconds],
    )) as [Claim[], number];
    return rows[0][0] ?? null;
  }

  /** Inside the cooldown (or locked): what the caller is told, nothing sent. */
  private async insideCooldown(req: IssueRequest, retried: boolean): Promise<IssueResult> {
    const [st] = (await this.dataSource.query(
      `SELECT last_delivery_at, locked_until FROM two_factor_state WHERE user_id = $1`,
      [req.userId],
    )) as Array<{ last_delivery_at: Date | null; locked_until: Date | null }>;
    if (st?.locked_until && st.locked_until.getTime() > Date.now())
      throw lockedError(st.locked_until);
    const resendAvailableAt = new Date(
      (st?.last_delivery_at?.getTime() ?? Date.now()) + req.policy.resendCooldownSeconds * 1000,
    );
    if (req.mode === 'resend') {
      throw new AppException(ErrorCode.OTP_RESEND_COOLDOWN, {
        retryAfterSeconds: secondsUntil(resendAvailableAt),
      });
    }
    const live = await this.liveCode(req);
    if (!live) return { delivery: 'COOLDOWN', resendAvailableAt };
    if (live.delivered)
      return { delivery: 'ALREADY_SENT', expiresAt: live.expiresAt, resendAvailableAt };
    // A code is on its way (another request's delivery): ALREADY_SENT only once it has arrived.
    // If that delivery fails, the cooldown is free again: this login sends its own code.
    const settled = await this.awaitDelivery(live.id);
    if (settled === 'delivered')
      return { delivery: 'ALREADY_SENT', expiresAt: live.expiresAt, resendAvailableAt };
    return retried ? { delivery: 'COOLDOWN', resendAvailableAt } : this.issueOnce(req, true);
  }

  /** The caller's newest live code for this address, if any. */
  private async liveCode(
    req: IssueRequest,
  ): Promise<{ id: string; expiresAt: Date; delivered: boolean } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT id, expires_at, delivered_at IS NOT NULL AS delivered FROM otp_challenges
        WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND destination_key = $4
          AND status = 'live' AND expires_at > now() AND attempts < max_attempts
        ORDER BY created_at DESC LIMIT 1`,
      [req.tenantId, req.userId, req.purpose, req.channel.provider.destinationKey(req.destination)],
    )) as Array<{ id: string; expires_at: Date; delivered: boolean }>;
    return row ? { id: row.id, expiresAt: row.expires_at, delivered: row.delivered } : null;
  }

  /** Waits (bounded by the delivery timeout) until a code in flight is delivered or failed. */
  private async awaitDelivery(challengeId: string): Promise<'delivered' | 'failed'> {
    const deadline = Date.now() + this.mail.smtpTimeoutMs + 1000;
    while (Date.now() < deadline) {
      const [row] = (await this.dataSource.query(
        `SELECT status, delivered_at IS NOT NULL AS delivered FROM otp_challenges WHERE id = $1`,
        [challengeId],
      )) as Array<{ status: string; delivered: boolean }>;
      if (row?.delivered) return 'delivered';
      if (!row || row.status !== 'live') return 'failed';
      await new Promise((r) => setTimeout(r, 50));
    }
    return 'failed';
  }

  /** A failed delivery: the code is dead and no cooldown started (rule 4). */
  private async failed(challengeId: string, userId: string, claim: Claim): Promise<void> {
    await this.dataSource.query(`UPDATE otp_challenges SET status = 'failed' WHERE id = $1`, [
      challengeId,
    ]);
    await this.dataSource.query(
      `UPDATE two_factor_state SET last_delivery_at = $2 WHERE user_id = $1 AND last_delivery_at = $3`,
      [userId, claim.previous, claim.claimed],
    );
  }
}
