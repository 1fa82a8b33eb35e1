import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Sql } from 'sql-template-tag';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { cryptoConfig } from '../../config/app-config';
import { CodeHasher } from '../common/crypto/code-hasher';
import { requireTenant } from '../database/query-guards';
import { RecoveryCode } from './entities/recovery-code.entity';
import { SignInRef } from './otp.types';
import { judgeRecoveryCode } from './recovery-code.statement';

/** How many codes a set has (API.md v1.1 §6). */
export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32: no I, L, O, U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 12;
const WELL_FORMED = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/**
 * What a user typed, as the code it stands for: case, spaces and dashes ignored, and Crockford's
 * look-alikes read as the digit they stand for (O → 0; I, L → 1). null: cannot be a code.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return WELL_FORMED.test(code) ? code : null;
}

/** 60 bits of the CSPRNG as 12 Crockford characters, shown `xxxx-xxxx-xxxx`. */
export function generateRecoveryCode(): string {
  let bits = randomBytes(8).readBigUInt64BE() >> 4n;
  let code = '';
  for (let i = 0; i < CODE_CHARS; i++) {
    code = ALPHABET[Number(bits & 31n)] + code;
    bits >>= 5n;
  }
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export interface RecoveryCodeSet {
  codes: string[];
  createdAt: Date;
}

/**
 * A user's recovery codes (API.md v1.1 §6): single use, stored only as keyed hashes (bound to the
 * user like a one-time code), shown once when a set is made. A new set voids the old one. Using
 * one is judged by `judgeRecoveryCode`, in the caller's verify statement.
 */
@Injectable()
export class RecoveryCodesService {
  private readonly hasher: CodeHasher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    @Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>,
  ) {
    this.hasher = new CodeHasher(crypto.otpHashKey);
  }

  /** A new set for the user, the old one void, inside the caller's transaction. */
  async replace(tenantId: string, userId: string, m: EntityManager): Promise<RecoveryCodeSet> {
    requireTenant(tenantId);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const hashes = codes.map((c) => this.hash(userId, normaliseRecoveryCode(c) as string));
    await this.voidAll(tenantId, userId, m);
    const rows = await m
      .getRepository(RecoveryCode)
      .save(hashes.map((codeHash) => ({ tenantId, userId, codeHash })));
    return { codes, createdAt: rows[0].createdAt };
  }

  /** Every code of the user void (a new set, the admin's 2FA reset). */
  async voidAll(tenantId: string, userId: string, m?: EntityManager): Promise<void> {
    requireTenant(tenantId);
    await (m ?? this.dataSource.manager).getRepository(RecoveryCode).delete({ tenantId, userId });
  }

  /** Unused codes per user (0 for a user with none), for /v1/auth/me and the admin user view. */
  async remaining(tenantId: string, userIds: string[]): Promise<Map<string, number>> {
    requireTenant(tenantId);
    const counts = new Map(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const rows = await this.codes
      .createQueryBuilder('r')
      .select('r.user_id', 'user_id')
      .addSelect('count(*)::int', 'n')
      .where('r.tenant_id = :tenantId AND r.user_id IN (:...userIds) AND r.used_at IS NULL', {
        tenantId,
        userIds,
      })
      .groupBy('r.user_id')
      .getRawMany<{ user_id: string; n: number }>();
    for (const r of rows) counts.set(r.user_id, r.n);
    return counts;
  }

  /** The judging CTEs for a typed recovery code; the caller runs them with what a success does. */
  judge(signIn: SignInRef, typed: string): Sql {
    requireTenant(signIn.tenantId);
    const code = normaliseRecoveryCode(typed);
    return judgeRecoveryCode({
      tenantId: signIn.tenantId,
      userId: signIn.userId,
      signInId: signIn.signInId,
      purpose: signIn.purpose,
      codeHash: code === null ? null : this.hash(signIn.userId, code),
      lockoutMaxConsecutiveFailures: signIn.policy.lockoutMaxConsecutiveFailures,
      lockoutDurationSeconds: signIn.policy.lockoutDurationSeconds,
    });
  }

  private hash(userId: string, code: string): Buffer {
    return this.hasher.hash(userId, `recovery:${code}`);
  }
}
