import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

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

  @Column({ name: 'session_id', type: 'uuid' })
  @ForeignKey('RefreshSession', { name: 'refresh_tokens_session_id_fkey', onDelete: 'CASCADE' })
  sessionId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
