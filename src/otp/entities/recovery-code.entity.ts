import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** One single-use recovery code of a user (API.md v1.1 §6): its keyed hash, never the code. */
@Entity({ name: 'recovery_codes' })
@Index('recovery_codes_user_idx', ['userId'])
export class RecoveryCode {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  @ForeignKey('Tenant', { name: 'recovery_codes_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('User', { name: 'recovery_codes_user_id_fkey', onDelete: 'CASCADE' })
  userId!: string;

  /** HMAC-SHA256 under OTP_HASH_KEY of the user id and the normalised code. */
  @Column({ name: 'code_hash', type: 'bytea' })
  codeHash!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
