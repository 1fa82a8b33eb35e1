import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { requireTenant } from '../database/query-guards';
import { SecretBox } from '../common/crypto/secret-box';
import { MfaSession, OtpPolicy } from './entities/mfa-session.entity';
import { resealColumn } from '../common/crypto/reseal';

export interface NewMfaSession {
  tenantId: string;
  userId: string;
  purpose: 'login' | 'register';
  channelId: string;
  channelType: string;
  passwordVersion: number;
  twoFactorVersion: number;
  policy: OtpPolicy;
  ip: string;
  userAgent: string | null;
}

/** Sign-ins between the password and the code (mfa_sessions). */
@Injectable()
export class MfaSessionsService {
  constructor(
    @InjectRepository(MfaSession) private readonly sessions: Repository<MfaSession>,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    private readonly box: SecretBox,
  ) {}

  async create(s: NewMfaSession): Promise<MfaSession> {
    requireTenant(s.tenantId);
    const row = this.sessions.create({
      ...s,
      id: randomUUID(),
      codesSent: 0,
      wrongTries: 0,
      expiresAt: new Date(Date.now() + this.cfg.mfaTokenTtlSeconds * 1000),
      spentAt: null,
    });
    await this.sessions.insert(row);
    return row;
  }

  /** On every /v1/auth/2fa/* request: raw SQL (the query builder costs about twice the CPU). */
  async find(id: string): Promise<MfaSession | null> {
    const rows = (await this.sessions.query(
      `SELECT id, tenant_id AS "tenantId", user_id AS "userId", purpose, channel_id AS "channelId",
              channel_type AS "channelType", password_version AS "passwordVersion",
              two_factor_version AS "twoFactorVersion", policy, codes_sent AS "codesSent",
              wrong_tries AS "wrongTries", pending_params AS "pendingParams", ip,
              user_agent AS "userAgent", expires_at AS "expiresAt", spent_at AS "spentAt",
              created_at AS "createdAt"
         FROM mfa_sessions WHERE id = $1`,
      [id],
    )) as MfaSession[];
    return rows[0] ?? null;
  }

  /** Marks the sign-in done (dropping any offered secret); false if it already was. */
  async spend(id: string): Promise<boolean> {
    const r = (await this.sessions.query(
      // An offered secret is not kept past the sign-in (the registration holds its own copy).
      `UPDATE mfa_sessions SET spent_at = now(), pending_secret = NULL
        WHERE id = $1 AND spent_at IS NULL`,
      [id],
    )) as [unknown[], number];
    return r[1] === 1;
  }

  /**
   * Reserves the sending of one more code: the first is free, then at most `maxResends` more.
   * Atomic, so parallel resends cannot pass the cap together. The count after, or null if refused.
   */
  async reserveCode(id: string, maxResends: number, m?: EntityManager): Promise<number | null> {
    const [rows] = (await (m ?? this.sessions.manager).query(
      `UPDATE mfa_sessions SET codes_sent = codes_sent + 1
        WHERE id = $1 AND codes_sent <= $2 RETURNING codes_sent`,
      [id, maxResends],
    )) as [Array<{ codes_sent: number }>, number];
    return rows[0]?.codes_sent ?? null;
  }

  /** The sign-in's first code is one sent before it (ALREADY_SENT): it counts as sent. */
  async countFirstCode(id: string): Promise<void> {
    await this.sessions.query(
      `UPDATE mfa_sessions SET codes_sent = GREATEST(codes_sent, 1) WHERE id = $1`,
      [id],
    );
  }

  /** Gives a reservation back (nothing was sent). */
  async releaseCode(id: string): Promise<void> {
    await this.sessions.query(
      `UPDATE mfa_sessions SET codes_sent = codes_sent - 1 WHERE id = $1 AND codes_sent > 0`,
      [id],
    );
  }

  /** Further codes this sign-in may still get. */
  static resendsRemaining(codesSent: number, maxResends: number): number {
    return Math.max(0, maxResends - Math.max(0, codesSent - 1));
  }

  /** App registration: the secret offered in this sign-in (replaces an earlier offer). */
  async offerSecret(
    id: string,
    secret: string,
    params: Record<string, string | number>,
  ): Promise<void> {
    await this.sessions.update(
      { id },
      { pendingSecret: this.box.seal(secret, `mfa:${id}`), pendingParams: params },
    );
  }

  /** The secret offered in this sign-in, opened, or null. */
  async offeredSecret(
    id: string,
  ): Promise<{ secret: string; params: Record<string, string | number> } | null> {
    const row = await this.sessions.findOne({
      where: { id },
      select: { id: true, pendingSecret: true, pendingParams: true },
    });
    if (!row?.pendingSecret) return null;
    return {
      secret: this.box.open(row.pendingSecret, `mfa:${id}`),
      params: row.pendingParams ?? {},
    };
  }

  /** After a DATA_ENCRYPTION_KEY rotation: offered secrets sealed with an older key, re-sealed. */
  resealSecrets(): Promise<number> {
    return resealColumn<{ id: string; pending_secret: string }>(
      this.sessions.manager.connection,
      this.box,
      {
        table: 'mfa_sessions',
        keys: ['id'],
        column: 'pending_secret',
        context: (r) => `mfa:${r.id}`,
      },
    );
  }

  /** Wrong codes of an app channel in this sign-in; the count after. */
  async countWrongTry(id: string): Promise<number> {
    const [rows] = (await this.sessions.query(
      `UPDATE mfa_sessions SET wrong_tries = wrong_tries + 1 WHERE id = $1 RETURNING wrong_tries`,
      [id],
    )) as [Array<{ wrong_tries: number }>, number];
    return rows[0]?.wrong_tries ?? 0;
  }
}
