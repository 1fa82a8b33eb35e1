import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource, EntityManager } from 'typeorm';
import { cryptoConfig, mailConfig } from '../../config/app-config';
import { ChannelsService } from '../channels/channels.service';
import { DeliveryError } from '../channels/providers/channel-provider';
import { CodeHasher } from '../common/crypto/code-hasher';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { runPrepared } from '../database/prepared-statement';
import { isUniqueViolation, requireTenant } from '../database/query-guards';
import { IssueRequest, IssueResult, SignInRef } from './otp.types';
import { lockedError, secondsUntil } from './two-factor-state.service';

interface Claim {
  previous: Date | null;
  claimed: Date;
}

/** The issuing transaction's outcome: a new code to deliver, or the cooldown still running. */
type Issued =
  | { kind: 'claimed'; claim: Claim; challengeId: string; sent: number }
  | { kind: 'cooling'; lastDelivery: Date; sent: number };

/** A code claimed and inserted, to deliver now. */
interface Claimed {
  code: string;
  expiresAt: Date;
  challengeId: string;
  claim: Claim;
  /** Codes the sign-in has had, this one included. */
  sent: number;
}

const UNIQUE_VIOLATION = '23505';
/** Locked claims tried before a conflict is the caller's (each try follows a committed rival). */
const MAX_CLAIM_ATTEMPTS = 5;

interface StateRow {
  last_delivery_at: Date | null;
  locked_until: Date | null;
  locked_indefinitely: boolean;
  locked: boolean;
  cooling: boolean;
}

/**
 * Issues codes (rules 1, 3, 4, 6): under the user's state row lock it counts the codes the
 * sign-in has had (its resend budget), claims the cooldown, supersedes older live codes and
 * inserts the new one, all in one transaction; delivers outside it, and gives the cooldown back
 * when the delivery fails (a failed code is not counted). Also the prompt of an app sign-in.
 */
@Injectable()
export class OtpIssuer {
  private readonly hasher: CodeHasher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly channels: ChannelsService,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
  ) {
    this.hasher = new CodeHasher(crypto.otpHashKey);
  }

  /**
   * An app sign-in's challenge: no code is sent, but its attempts are the sign-in's limit and
   * its status says whether the sign-in's second factor was used (one statement).
   */
  async prompt(signIn: SignInRef, channelType: string): Promise<void> {
    requireTenant(signIn.tenantId);
    await this.dataSource.query(
      `INSERT INTO otp_challenges (tenant_id, user_id, mfa_session_id, announced_to, purpose,
                                   channel_type, max_attempts, expires_at)
       VALUES ($1, $2, $3, $3, $4, $5, $6, $7)`,
      [
        signIn.tenantId,
        signIn.userId,
        signIn.signInId,
        signIn.purpose,
        channelType,
        signIn.policy.maxAttempts,
        signIn.notAfter,
      ],
    );
  }

  async issue(req: IssueRequest): Promise<IssueResult> {
    if (req.fresh) {
      const claimed = await this.claimFresh(req);
      if (claimed) return this.deliver(req, claimed);
    }
    return this.issueOnce(req, false);
  }

  /**
   * A fresh sign-in's code in ONE statement: the cooldown claimed on the user's state row (an
   * upsert whose condition PostgreSQL re-checks on the row it locked, so parallel claims queue and
   * the second sees the first's), older live codes superseded, the new code inserted. Null when
   * the account is locked or cooling, or another user's code for the same address was inserted
   * meanwhile (the one-live-code index): the transactional path then decides.
   */
  private async claimFresh(req: IssueRequest): Promise<Claimed | null> {
    requireTenant(req.tenantId);
    const destinationKey = req.channel.provider.destinationKey(req.destination);
    const code = CodeHasher.generate(req.policy.length);
    const expiresAt = this.expiryOf(req);
    try {
      const [row] = await runPrepared<{ id: string | null; claimed: Date }>(
        this.dataSource,
        sql`WITH claimed AS (
             INSERT INTO two_factor_state AS s (user_id, tenant_id, last_delivery_at)
             VALUES (${req.userId}::uuid, ${req.tenantId}::uuid,
                     date_trunc('milliseconds', clock_timestamp()))
             ON CONFLICT (user_id) DO UPDATE SET last_delivery_at = EXCLUDED.last_delivery_at
              WHERE NOT s.locked_indefinitely
                AND (s.locked_until IS NULL OR s.locked_until <= now())
                AND (s.last_delivery_at IS NULL OR s.last_delivery_at <=
                     clock_timestamp() - make_interval(secs => ${req.policy.resendCooldownSeconds}::int))
             RETURNING s.last_delivery_at
           ), gone AS (
             UPDATE otp_challenges SET status = 'superseded'
              WHERE tenant_id = ${req.tenantId}::uuid AND status = 'live' AND code_hash IS NOT NULL
                AND (user_id = ${req.userId}::uuid
                     OR (${req.purpose} = 'login' AND purpose = 'login'
                         AND destination_key = ${destinationKey}))
                AND EXISTS (SELECT 1 FROM claimed)
             RETURNING id
           ), ins AS (
             INSERT INTO otp_challenges
               (tenant_id, user_id, mfa_session_id, announced_to, purpose, channel_type, destination,
                destination_key, code_hash, max_attempts, expires_at)
             SELECT ${req.tenantId}::uuid, ${req.userId}::uuid, ${req.signInId}::uuid,
                    ${req.signInId}::uuid, ${req.purpose}, ${req.channel.channel.type},
                    ${req.destination}, ${destinationKey}, ${this.hasher.hash(req.userId, code)},
                    ${req.policy.maxAttempts}::int, ${expiresAt}::timestamptz
               FROM claimed, (SELECT count(*) FROM gone) g
             RETURNING id
           )
           SELECT (SELECT id FROM ins) AS id, (SELECT last_delivery_at FROM claimed) AS claimed`,
      );
      if (!row.id) return null;
      return {
        code,
        expiresAt,
        challengeId: row.id,
        // The claim succeeded, so no cooldown was running: a failed delivery gives back "none"
        // (the value before it, read in this statement's snapshot, may be older than the row).
        claim: { previous: null, claimed: row.claimed },
        sent: 1,
      };
    } catch (e) {
      // Another account's code for this address went live meanwhile: the locked path handles it.
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw e;
    }
  }

  private expiryOf(req: IssueRequest): Date {
    return new Date(Math.min(Date.now() + req.policy.ttlSeconds * 1000, req.notAfter.getTime()));
  }

  private async issueOnce(req: IssueRequest, retried: boolean): Promise<IssueResult> {
    requireTenant(req.tenantId);
    const provider = req.channel.provider;
    const destinationKey = provider.destinationKey(req.destination);
    const code = CodeHasher.generate(req.policy.length);
    const expiresAt = this.expiryOf(req);
    const issued = await this.claimLocked(req, destinationKey, code, expiresAt);
    if (issued.kind === 'cooling')
      return this.insideCooldown(req, issued.lastDelivery, issued.sent, retried);
    return this.deliver(req, { ...issued, code, expiresAt });
  }

  /**
   * The locked claim, again when another account's one-statement claim (claimFresh, which takes
   * no address lock) put a code for this address live after this statement's snapshot: the
   * one-live-code index refuses the insert, and the next try sees and supersedes that code.
   */
  private async claimLocked(
    req: IssueRequest,
    destinationKey: string,
    code: string,
    expiresAt: Date,
  ): Promise<Issued> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.claimLockedOnce(req, destinationKey, code, expiresAt);
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= MAX_CLAIM_ATTEMPTS) throw e;
      }
    }
  }

  private async claimLockedOnce(
    req: IssueRequest,
    destinationKey: string,
    code: string,
    expiresAt: Date,
  ): Promise<Issued> {
    // The user's state row is locked first: parallel issuers of one user queue here, and whoever
    // comes second sees the first one's claim (the cooldown) and its code (ALREADY_SENT).
    return this.dataSource.transaction(async (m): Promise<Issued> => {
      const state = await this.lockState(req, destinationKey, m);
      if (state.locked) throw lockedError(state.locked_indefinitely ? null : state.locked_until);
      const sent = await this.codesSent(req, m);
      if (sent > req.policy.maxResendsPerLogin) throw new AppException(ErrorCode.OTP_RESEND_LIMIT);
      if (state.cooling && state.last_delivery_at)
        return { kind: 'cooling', lastDelivery: state.last_delivery_at, sent };
      const [row] = (await m.query(
        `WITH claimed AS (
           UPDATE two_factor_state SET last_delivery_at = date_trunc('milliseconds', clock_timestamp())
            WHERE user_id = $2 RETURNING last_delivery_at),
         gone AS (
           UPDATE otp_challenges SET status = 'superseded'
            WHERE tenant_id = $1 AND status = 'live' AND code_hash IS NOT NULL
              AND (user_id = $2 OR ($4 = 'login' AND purpose = 'login' AND destination_key = $7))
           RETURNING id),
         -- After the supersede (the aggregate reads it whole): one live login code per address.
         ins AS (
           INSERT INTO otp_challenges
             (tenant_id, user_id, mfa_session_id, announced_to, purpose, channel_type, destination,
              destination_key, code_hash, max_attempts, expires_at)
           SELECT $1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10
             FROM (SELECT count(*) FROM gone) g
           RETURNING id)
         SELECT (SELECT id FROM ins) AS id, (SELECT last_delivery_at FROM claimed) AS claimed`,
        [
          req.tenantId,
          req.userId,
          req.signInId,
          req.purpose,
          req.channel.channel.type,
          req.destination,
          destinationKey,
          this.hasher.hash(req.userId, code),
          req.policy.maxAttempts,
          expiresAt,
        ],
      )) as Array<{ id: string; claimed: Date }>;
      const claim: Claim = { previous: state.last_delivery_at, claimed: row.claimed };
      return { kind: 'claimed', claim, challengeId: row.id, sent: sent + 1 };
    });
  }

  /** Delivers a claimed code; a failure gives the cooldown back and counts no code. */
  private async deliver(req: IssueRequest, claimed: Claimed): Promise<IssueResult> {
    const { claim, challengeId, code, expiresAt } = claimed;
    try {
      await this.channels.deliver(req.channel, {
        to: req.destination,
        code,
        purpose: req.purpose,
        expiresInSeconds: (expiresAt.getTime() - Date.now()) / 1000,
        tenantName: req.tenantName,
        ...req.recipient,
        ip: req.ip,
        userAgent: req.userAgent,
      });
    } catch (e) {
      await this.failed(challengeId, req.userId, claim);
      if (e instanceof DeliveryError)
        return {
          delivery: 'FAILED',
          resendAvailableAt: new Date(),
          codesSent: claimed.sent - 1,
          failureReason: e.reason,
        };
      throw e;
    }
    const extra = req.onDelivered?.(challengeId);
    await runPrepared(
      this.dataSource,
      extra
        ? sql`WITH delivered AS (
                UPDATE otp_challenges SET delivered_at = now() WHERE id = ${challengeId}::uuid
                RETURNING id), ${extra}
              SELECT count(*) FROM delivered`
        : sql`UPDATE otp_challenges SET delivered_at = now() WHERE id = ${challengeId}::uuid`,
    );
    return {
      delivery: 'SENT',
      expiresAt,
      codesSent: claimed.sent,
      resendAvailableAt: new Date(
        claim.claimed.getTime() + req.policy.resendCooldownSeconds * 1000,
      ),
    };
  }

  /**
   * Creates the user's state row if missing and locks it; a login code also takes the address's
   * lock, so issuers of one address (users sharing it) never trip the one-live-code index.
   */
  private async lockState(
    req: IssueRequest,
    destinationKey: string,
    m: EntityManager,
  ): Promise<StateRow> {
    const [row] = (await m.query(
      `WITH address AS (
         SELECT pg_advisory_xact_lock(hashtextextended($3, 0)) WHERE $4 = 'login')
       INSERT INTO two_factor_state (user_id, tenant_id) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
       RETURNING last_delivery_at, locked_until, locked_indefinitely,
                 locked_indefinitely OR COALESCE(locked_until > now(), false) AS locked,
                 COALESCE(last_delivery_at > clock_timestamp() - make_interval(secs => $5), false)
                   AS cooling,
                 (SELECT count(*) FROM address) AS address_locked`,
      [
        req.userId,
        req.tenantId,
        `otp:${req.tenantId}:${destinationKey}`,
        req.purpose,
        req.policy.resendCooldownSeconds,
      ],
    )) as StateRow[];
    return row;
  }

  /**
   * Codes of `purpose` this sign-in has had: the ones it issued and one it was told ALREADY_SENT
   * about (a proof's codes and a registration's have a budget each).
   */
  private async codesSent(req: SignInRef, m?: EntityManager): Promise<number> {
    const [row] = (await (m ?? this.dataSource.manager).query(
      `SELECT count(*)::int AS n FROM otp_challenges
        WHERE tenant_id = $1 AND user_id = $2 AND purpose = $4 AND code_hash IS NOT NULL
          AND status <> 'failed' AND (mfa_session_id = $3 OR announced_to = $3)`,
      [req.tenantId, req.userId, req.signInId, req.purpose],
    )) as Array<{ n: number }>;
    return row.n;
  }

  /** The address of the newest code of `purpose` sent for a sign-in (a pending registration). */
  async latestDestination(signIn: SignInRef): Promise<string | null> {
    requireTenant(signIn.tenantId);
    const [row] = (await this.dataSource.query(
      `SELECT destination FROM otp_challenges
        WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND mfa_session_id = $4
          AND destination IS NOT NULL
        ORDER BY created_at DESC LIMIT 1`,
      [signIn.tenantId, signIn.userId, signIn.purpose, signIn.signInId],
    )) as Array<{ destination: string }>;
    return row?.destination ?? null;
  }

  /** Inside the cooldown: what the caller is told, nothing sent. */
  private async insideCooldown(
    req: IssueRequest,
    lastDelivery: Date,
    codesSent: number,
    retried: boolean,
  ): Promise<IssueResult> {
    const resendAvailableAt = new Date(
      lastDelivery.getTime() + req.policy.resendCooldownSeconds * 1000,
    );
    if (req.mode === 'resend') {
      throw new AppException(ErrorCode.OTP_RESEND_COOLDOWN, {
        retryAfterSeconds: secondsUntil(resendAvailableAt),
      });
    }
    const live = await this.liveCode(req);
    if (!live) return { delivery: 'COOLDOWN', resendAvailableAt, codesSent };
    // A code is on its way (another request's delivery): ALREADY_SENT only once it has arrived.
    // If that delivery fails, the cooldown is free again: this login sends its own code.
    const settled = live.delivered ? 'delivered' : await this.awaitDelivery(live.id);
    if (settled !== 'delivered')
      return retried
        ? { delivery: 'COOLDOWN', resendAvailableAt, codesSent }
        : this.issueOnce(req, true);
    // The code now belongs to this sign-in (v1.1 §1), and counts as its first code (rule 6).
    const announced = await this.announce(live.id, req.signInId);
    if (!announced) return { delivery: 'COOLDOWN', resendAvailableAt, codesSent };
    return {
      delivery: 'ALREADY_SENT',
      expiresAt: live.expiresAt,
      resendAvailableAt,
      codesSent: Math.max(codesSent, 1),
    };
  }

  /** Moves a live code to the sign-in told about it; false when it stopped being live. */
  private async announce(challengeId: string, signInId: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE otp_challenges SET announced_to = $2
        WHERE id = $1 AND status = 'live' AND expires_at > now() AND attempts < max_attempts`,
      [challengeId, signInId],
    )) as [unknown[], number];
    return count === 1;
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

  /** A failed delivery: the code is dead, not counted, and no cooldown started (rule 4). */
  private async failed(challengeId: string, userId: string, claim: Claim): Promise<void> {
    await this.dataSource.query(
      `WITH code AS (UPDATE otp_challenges SET status = 'failed' WHERE id = $1)
       UPDATE two_factor_state SET last_delivery_at = $3
        WHERE user_id = $2 AND last_delivery_at = $4`,
      [challengeId, userId, claim.previous, claim.claimed],
    );
  }
}
