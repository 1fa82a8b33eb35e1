import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';
import { UserOwnedEntity } from '../../database/owned-entities';

export type ChallengePurpose = 'login' | 'register';
export type ChallengeStatus = 'live' | 'used' | 'superseded' | 'dead' | 'failed';

/**
 * One prompt for a second factor in one sign-in: a code sent to an address (its keyed hash, never
 * the code), or, for an app channel, the sign-in's budget of attempts (no code, no address).
 */
@Entity({ name: 'otp_challenges' })
@Check('otp_challenges_purpose_check', `purpose IN ('login', 'register')`)
@Check('otp_challenges_status_check', `status IN ('live', 'used', 'superseded', 'dead', 'failed')`)
// Partial unique (one live login code per tenant and address) and a descending index: see the migration.
@Index('otp_challenges_one_live_login_key', { synchronize: false })
@Index('otp_challenges_user_newest_idx', { synchronize: false })
@Index('otp_challenges_expires_at_idx', ['expiresAt'])
@Index('otp_challenges_announced_to_idx', { synchronize: false })
@Index('otp_challenges_mfa_session_idx', ['mfaSessionId'])
export class OtpChallenge extends UserOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The sign-in whose login, register or resend issued it: its codes count against that sign-in. */
  @Column({ name: 'mfa_session_id', type: 'uuid', nullable: true })
  mfaSessionId!: string | null;

  /** The sign-in it completes (v1.1 §1): the issuer, or the newest one told ALREADY_SENT. */
  @Column({ name: 'announced_to', type: 'uuid', nullable: true })
  announcedTo!: string | null;

  @Column({ type: 'varchar', length: 16 })
  purpose!: ChallengePurpose;

  @Column({ name: 'channel_type', type: 'varchar', length: 32 })
  channelType!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  destination!: string | null;

  /** The address as compared (lower case): the key of rule 3's "same address". */
  @Column({ name: 'destination_key', type: 'varchar', length: 254, nullable: true })
  destinationKey!: string | null;

  @Column({ name: 'code_hash', type: 'bytea', nullable: true })
  codeHash!: Buffer | null;

  @Column({ type: 'varchar', length: 16, default: 'live' })
  status!: ChallengeStatus;

  @Column({ type: 'smallint', default: 0 })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'smallint' })
  maxAttempts!: number;

  @TimestampColumn('expires_at')
  expiresAt!: Date;

  /** clock_timestamp(), not now(): orders two challenges of one transaction too. */
  @TimestampColumn('created_at', { default: () => 'clock_timestamp()' })
  createdAt!: Date;

  /** Set once the channel took the code: until then the code is in flight, not "sent". */
  @TimestampColumn('delivered_at', { nullable: true })
  deliveredAt!: Date | null;

  @TimestampColumn('used_at', { nullable: true })
  usedAt!: Date | null;
}
