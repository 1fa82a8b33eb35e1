import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../database/columns';
import { UserOwnedEntity } from '../../database/owned-entities';

/** Why a session ended early (also `data.reason` of SESSION_REVOKED). */
export type SessionEndReason =
  | 'logout'
  | 'reuse'
  | 'idle_timeout'
  | 'max_age'
  | 'user_disabled'
  | 'password_changed'
  | 'two_factor_reset'
  /** The user replaced their second factor (self-service, v1.1 §8): their other sessions end. */
  | 'two_factor_changed'
  | 'tenant_disabled'
  | 'user_gone'
  /** The tenant turned 2FA on: sessions signed in with the password alone end (v1.1 §3). */
  | 'policy';

/** How the sign-in was authenticated (the access tokens' `acr`, API.md v1.1 §3). */
export type Acr = 'pwd' | '2fa' | '2fa-remembered';

/**
 * One sign-in that ended in tokens: its refresh tokens rotate inside it, its id is the access
 * tokens' `sid`. `expires_at` is when it ends unless refreshed (the idle timeout, capped by the
 * maximum age); a revocation sets it to the moment of revocation, so "live" is one comparison.
 */
@Entity({ name: 'sessions' })
@Index('sessions_user_idx', ['tenantId', 'userId'])
@Index('sessions_expires_at_idx', ['expiresAt'])
export class RefreshSession extends UserOwnedEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The authentication methods of the sign-in, kept in every access token of the session. */
  @Column({ type: 'text', array: true })
  amr!: string[];

  @Column({ type: 'varchar', length: 16, default: 'pwd' })
  acr!: Acr;

  /** When the user signed in (the tokens' `auth_time`): a refresh keeps it. */
  @TimestampColumn('auth_time', { default: () => 'now()' })
  authTime!: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn('last_refreshed_at')
  lastRefreshedAt!: Date;

  @TimestampColumn('expires_at')
  expiresAt!: Date;

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: SessionEndReason | null;
}
