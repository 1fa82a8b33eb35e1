import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../database/columns';
import { UserOwnedEntity } from '../../database/owned-entities';

/** One single-use recovery code of a user (API.md v1.1 §6): its keyed hash, never the code. */
@Entity({ name: 'recovery_codes' })
@Index('recovery_codes_user_idx', ['userId'])
export class RecoveryCode extends UserOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** HMAC-SHA256 under OTP_HASH_KEY of the user id and the normalised code. */
  @Column({ name: 'code_hash', type: 'bytea' })
  codeHash!: Buffer;

  @CreatedAtColumn()
  createdAt!: Date;

  @TimestampColumn('used_at', { nullable: true })
  usedAt!: Date | null;
}
