import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import sql, { Sql } from 'sql-template-tag';
import { Repository } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { requireTenant } from '../database/query-guards';
import { SecretBox } from '../common/crypto/secret-box';
import type { OtpPolicy } from '../otp/otp.types';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { resealColumn } from '../common/crypto/reseal';

export interface NewPendingSignIn {
  tenantId: string;
  userId: string;
  purpose: 'login' | 'register';
  channelId: string;
  channelType: string;
  passwordVersion: number;
  twoFactorVersion: number;
  policy: OtpPolicy;
  /** Adding a factor: the one to prove first (API.md v1.1 §4), and its channel. */
  proofType: string | null;
  proofChannelId: string | null;
  /** Started while the account was locked: only a recovery code finishes it (v1.1 §6). */
  recoveryOnly?: boolean;
  /** Self-service 2FA (v1.1 §8): the refresh session that asked; no mfa token is issued. */
  selfServiceSessionId?: string | null;
  /** The login's device token, when it named a live device of this user (v1.1 §7). */
  deviceToken?: string | null;
  ip: string;
  userAgent: string | null;
}

/** Sign-ins between the password and the code (mfa_sessions). */
@Injectable()
export class PendingSignInsService {
  constructor(
    @InjectRepository(PendingSignIn) private readonly sessions: Repository<PendingSignIn>,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    private readonly box: SecretBox,
  ) {}

  async create({ deviceToken, ...s }: NewPendingSignIn): Promise<PendingSignIn> {
    requireTenant(s.tenantId);
    const id = randomUUID();
    const row = this.sessions.create({
      ...s,
      recoveryOnly: s.recoveryOnly ?? false,
      selfServiceSessionId: s.selfServiceSessionId ?? null,
      deviceToken: deviceToken ? this.box.seal(deviceToken, `mfa-device:${id}`) : null,
      id,
      provenAt: null,
      expiresAt: new Date(Date.now() + this.cfg.mfaTokenTtlSeconds * 1000),
      spentAt: null,
    });
    await this.sessions.insert(row);
    return row;
  }

  /**
   * The user's pending self-service registration (API.md v1.1 §8) of refresh session `sid`: the
   * newest not spent (an expired one too: its code then answers OTP_EXPIRED), with its sealed
   * secret. Null: none.
   */
  async pendingSelfService(
    tenantId: string,
    userId: string,
    sid: string,
  ): Promise<PendingSignIn | null> {
    requireTenant(tenantId);
    return this.sessions
      .createQueryBuilder('m')
      .addSelect('m.pendingSecret')
      .where('m.tenant_id = :tenantId AND m.user_id = :userId', { tenantId, userId })
      .andWhere('m.self_service_session_id = :sid AND m.spent_at IS NULL', { sid })
      .orderBy('m.created_at', 'DESC')
      .getOne();
  }

  /** A new self-service registration replaces the user's earlier pending ones (all sessions). */
  async dropOtherSelfService(tenantId: string, userId: string, keepId: string): Promise<void> {
    requireTenant(tenantId);
    await this.sessions.query(
      `UPDATE mfa_sessions SET spent_at = now(), pending_secret = NULL
        WHERE tenant_id = $1 AND user_id = $2 AND self_service_session_id IS NOT NULL
          AND spent_at IS NULL AND id <> $3`,
      [tenantId, userId, keepId],
    );
  }

  /** A self-service registration that never got going (its register was refused). */
  async dropSelfService(tenantId: string, id: string): Promise<void> {
    requireTenant(tenantId);
    await this.sessions.query(
      `UPDATE mfa_sessions SET spent_at = now(), pending_secret = NULL
        WHERE tenant_id = $1 AND id = $2 AND self_service_session_id IS NOT NULL`,
      [tenantId, id],
    );
  }

  /**
   * The sign-in spent (and any offered secret dropped: the registration keeps its own copy), as a
   * CTE `spent` of the caller's statement, when its CTE `sf_verdict` says the factor was right.
   */
  spending(id: string): Sql {
    return sql`spent AS (
      UPDATE mfa_sessions SET spent_at = now(), pending_secret = NULL
       WHERE id = ${id}::uuid AND spent_at IS NULL
         AND (SELECT outcome FROM sf_verdict) = 'ok'
      RETURNING id
    )`;
  }

  /**
   * The factor the user already has was proven (API.md v1.1 §4), as a CTE `proven` of the
   * caller's statement, when its CTE `sf_verdict` says so; the mfa token stays unspent.
   */
  proving(id: string): Sql {
    return sql`proven AS (
      UPDATE mfa_sessions SET proven_at = now()
       WHERE id = ${id}::uuid AND proven_at IS NULL AND spent_at IS NULL
         AND (SELECT outcome FROM sf_verdict) = 'ok'
      RETURNING id
    )`;
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

  /** The secret offered in sign-in `id`, from its sealed column (read with the sign-in). */
  openOffered(id: string, sealed: string): string {
    return this.box.open(sealed, `mfa:${id}`);
  }

  /** The login's device token, from the sign-in's sealed column (read with the sign-in). */
  openDeviceToken(id: string, sealed: string | null): string | null {
    return sealed ? this.box.open(sealed, `mfa-device:${id}`) : null;
  }

  /**
   * After a DATA_ENCRYPTION_KEY rotation: offered secrets and device tokens sealed with an older
   * key, re-sealed.
   */
  async resealSecrets(): Promise<number> {
    const connection = this.sessions.manager.connection;
    const secrets = await resealColumn<{ id: string; pending_secret: string }>(
      connection,
      this.box,
      {
        table: 'mfa_sessions',
        keys: ['id'],
        column: 'pending_secret',
        context: (r) => `mfa:${r.id}`,
      },
    );
    const devices = await resealColumn<{ id: string; device_token: string }>(connection, this.box, {
      table: 'mfa_sessions',
      keys: ['id'],
      column: 'device_token',
      context: (r) => `mfa-device:${r.id}`,
    });
    return secrets + devices;
  }
}
