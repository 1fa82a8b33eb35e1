import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta } from '../common/http/request-context';
import { requireTenant } from '../database/query-guards';
import { SecretBox } from '../common/crypto/secret-box';
import { resealColumn } from '../common/crypto/reseal';

export interface TwoFactorRegistration {
  channelType: string;
  destination: string | null;
  confirmedAt: Date;
}

/**
 * The 2FA registrations of users (user_2fa): set only by a verified registration during login,
 * removed only by the admin reset. Each change bumps the user's two_factor_version, which ends
 * sign-ins begun before it.
 */
/** Binds a sealed secret to its row: copied to another user, it does not open. */
const sealContext = (userId: string, channelType: string) => `user_2fa:${userId}:${channelType}`;

@Injectable()
export class TwoFactorRegistrationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
  ) {}

  /** An enrolled app secret, from its sealed column (read with the sign-in). */
  openSecret(userId: string, channelType: string, sealed: string): string {
    return this.box.open(sealed, sealContext(userId, channelType));
  }

  async find(
    tenantId: string,
    userId: string,
    channelType: string,
  ): Promise<TwoFactorRegistration | null> {
    return (
      (await this.ofUsers(tenantId, [userId]))
        .get(userId)
        ?.find((r) => r.channelType === channelType) ?? null
    );
  }

  async ofUsers(
    tenantId: string,
    userIds: string[],
  ): Promise<Map<string, TwoFactorRegistration[]>> {
    requireTenant(tenantId);
    const byUser = new Map<string, TwoFactorRegistration[]>();
    if (userIds.length === 0) return byUser;
    const rows = (await this.dataSource.query(
      `SELECT user_id, channel_type, destination, confirmed_at FROM user_2fa
        WHERE tenant_id = $1 AND user_id = ANY($2::uuid[]) ORDER BY confirmed_at`,
      [tenantId, userIds],
    )) as Array<{
      user_id: string;
      channel_type: string;
      destination: string | null;
      confirmed_at: Date;
    }>;
    for (const r of rows) {
      const list = byUser.get(r.user_id) ?? [];
      list.push({
        channelType: r.channel_type,
        destination: r.destination,
        confirmedAt: r.confirmed_at,
      });
      byUser.set(r.user_id, list);
    }
    return byUser;
  }

  /** Users (of `userIds`) whose 2FA address of `channelTypes` another user of the tenant also has. */
  async sharingAddress(
    tenantId: string,
    channelTypes: string[],
    userIds: string[],
  ): Promise<Set<string>> {
    requireTenant(tenantId);
    if (userIds.length === 0 || channelTypes.length === 0) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT a.user_id FROM user_2fa a
        WHERE a.tenant_id = $1 AND a.channel_type = ANY($2::text[]) AND a.user_id = ANY($3::uuid[])
          AND a.destination IS NOT NULL
          AND EXISTS (SELECT 1 FROM user_2fa b
                       WHERE b.tenant_id = a.tenant_id AND b.channel_type = a.channel_type
                         AND lower(b.destination) = lower(a.destination) AND b.user_id <> a.user_id)`,
      [tenantId, channelTypes, userIds],
    )) as Array<{ user_id: string }>;
    return new Set(rows.map((r) => r.user_id));
  }

  /**
   * A verified registration: stores the address (also as the contact email when that is empty),
   * bumps the 2FA version and writes TWO_FACTOR_REGISTERED, in one transaction (the caller's,
   * when it passes its manager: the verify that proved the factor commits with it). Returns the
   * user's new 2FA version.
   */
  async confirm(
    tenantId: string,
    userId: string,
    channelType: string,
    destination: string | null,
    meta: RequestMeta,
    options: {
      /** App registrations: the plain secret (sealed here) and its enrolled parameters. */
      secret?: string | null;
      params?: Record<string, string | number> | null;
      maskedDestination?: string | null;
      /** The address to keep as the user's contact email when none is set (an email factor). */
      contactEmail?: string | null;
    } = {},
    manager?: EntityManager,
  ): Promise<number> {
    requireTenant(tenantId);
    const write = async (m: EntityManager): Promise<number> => {
      await m.query(
        `INSERT INTO user_2fa (user_id, tenant_id, channel_type, destination, secret, params, confirmed_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (user_id, channel_type)
         DO UPDATE SET destination = EXCLUDED.destination, secret = EXCLUDED.secret,
                       params = EXCLUDED.params, confirmed_at = now()`,
        [
          userId,
          tenantId,
          channelType,
          destination,
          options.secret ? this.box.seal(options.secret, sealContext(userId, channelType)) : null,
          options.params ?? null,
        ],
      );
      const [updated] = (await m.query(
        `UPDATE users SET two_factor_version = two_factor_version + 1,
                          email = CASE WHEN email IS NULL AND $3::text IS NOT NULL THEN $3 ELSE email END,
                          updated_at = now()
          WHERE tenant_id = $1 AND id = $2
          RETURNING two_factor_version`,
        [tenantId, userId, options.contactEmail ?? null],
      )) as [Array<{ two_factor_version: number }>, number];
      if (updated.length !== 1) throw AppException.notFound('No such user in this tenant.');
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.TWO_FACTOR_REGISTERED,
          userId,
          ...auditedBy(meta),
          data: { channelType, destination: options.maskedDestination ?? destination },
        },
        m,
      );
      return updated[0].two_factor_version;
    };
    return manager ? write(manager) : this.dataSource.transaction(write);
  }

  /** After a DATA_ENCRYPTION_KEY rotation: app secrets sealed with an older key, re-sealed. */
  resealSecrets(): Promise<number> {
    return resealColumn<{ user_id: string; channel_type: string; secret: string }>(
      this.dataSource,
      this.box,
      {
        table: 'user_2fa',
        keys: ['user_id', 'channel_type'],
        column: 'secret',
        context: (r) => sealContext(r.user_id, r.channel_type),
      },
    );
  }

  /** Admin reset: removes every registration and bumps the version. The types removed. */
  async removeAll(tenantId: string, userId: string, m: EntityManager): Promise<string[]> {
    requireTenant(tenantId);
    const [rows] = (await m.query(
      `DELETE FROM user_2fa WHERE tenant_id = $1 AND user_id = $2 RETURNING channel_type`,
      [tenantId, userId],
    )) as [Array<{ channel_type: string }>, number];
    await m.query(
      `UPDATE users SET two_factor_version = two_factor_version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, userId],
    );
    return rows.map((r) => r.channel_type);
  }
}
