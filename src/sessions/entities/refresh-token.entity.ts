import { Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, ReferenceColumn, TimestampColumn } from '../../database/columns';

/**
 * Every refresh token a session was given, by keyed hash (the token itself is never stored).
 * The used ones stay while the session lives: presenting one again is how reuse is detected.
 * At most one unused token per session (a partial unique index).
 */
@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_session_idx', ['sessionId'])
@Index('refresh_tokens_live_idx', ['sessionId'], { unique: true, where: 'used_at IS NULL' })
export class RefreshToken {
  /** HMAC-SHA256 of the token under a key derived from OTP_HASH_KEY. */
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @ReferenceColumn('RefreshSession', 'session_id')
  sessionId!: string;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn('used_at', { nullable: true })
  usedAt!: Date | null;
}
