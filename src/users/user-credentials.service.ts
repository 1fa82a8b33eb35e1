import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { characterCount } from '../common/validation/field-decorators';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';

/** What login needs of a user: the hash is selected only here. */
export interface UserCredentials {
  id: string;
  tenantId: string;
  username: string;
  displayName: string | null;
  /** BCP 47 or null (API.md v1.1 §11): the language of the user's mails. */
  locale: string | null;
  roles: string[];
  disabled: boolean;
  passwordHash: string;
  passwordVersion: number;
  twoFactorVersion: number;
}

/** Matches no user: lookups for an unknown tenant still cost one query (timing). */
const NO_TENANT = '00000000-0000-0000-0000-000000000000';
const MAX_PASSWORD_CHARACTERS = 256;

/**
 * A user's password: the policy (PASSWORD_MIN_LENGTH..256 characters), hashing (argon2id, before
 * any transaction opens), and what login needs (the user with its hash, the verify, the hash
 * queue's capacity). The user's other fields are UsersService's.
 */
@Injectable()
export class UserCredentialsService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  /**
   * For login: the user with its hash, found case-insensitively. `tenantId` null (unknown
   * tenant) still runs the query, so an unknown tenant costs what an unknown user costs.
   */
  async findCredentials(
    tenantId: string | null,
    username: string,
  ): Promise<UserCredentials | null> {
    const row = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.tenant_id = :tenantId AND lower(u.username) = lower(:username)', {
        tenantId: tenantId ?? NO_TENANT,
        username,
      })
      .getOne();
    return row
      ? {
          id: row.id,
          tenantId: row.tenantId,
          username: row.username,
          displayName: row.displayName,
          locale: row.locale,
          roles: row.roles,
          disabled: row.disabled,
          passwordHash: row.passwordHash,
          passwordVersion: row.passwordVersion,
          twoFactorVersion: row.twoFactorVersion,
        }
      : null;
  }

  /** 503 at once when the password hashes are saturated (see PasswordHasher.assertCapacity). */
  assertHashCapacity(): void {
    this.hasher.assertCapacity();
  }

  async verifyPassword(credentials: UserCredentials | null, password: string): Promise<boolean> {
    return this.hasher.verify(credentials?.passwordHash ?? null, password);
  }

  /** The hash of a new password that meets the policy (else 400 naming `field`). */
  async checkedHash(password: string, field: string): Promise<string> {
    this.checkPassword(password, field);
    return this.hasher.hash(password);
  }

  /** PASSWORD_MIN_LENGTH..256 characters, counted as people count them (code points). */
  private checkPassword(password: string, field: string): void {
    const min = this.cfg.passwordMinLength;
    const length = characterCount(password);
    if (length < min || length > MAX_PASSWORD_CHARACTERS) {
      throw AppException.validation([
        {
          field,
          message: `${field} must be ${min} to ${MAX_PASSWORD_CHARACTERS} characters long`,
        },
      ]);
    }
  }
}
