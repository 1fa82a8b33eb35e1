import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { decodeCursor, encodeCursor, Page } from '../common/http/pagination';
import { RequestMeta } from '../common/http/request-context';
import { preparedUsernameOrNull } from '../common/validation/username';
import { isUniqueViolation, requireTenant } from '../database/query-guards';
import { CreateUserDto, UpdateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.dto';
import { User } from './entities/user.entity';
import { UserCredentialsService } from './user-credentials.service';
import { copyChanges } from '../common/changed-fields';

/** A change whose new password (if any) is checked and hashed. */
export interface PreparedUpdate {
  dto: UpdateUserDto;
  passwordHash: string | undefined;
}

/** A new user whose password is checked and hashed: argon2 runs before any transaction opens. */
export interface PreparedUser {
  dto: Omit<CreateUserDto, 'password'>;
  passwordHash: string;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function uniqueRoles(roles: string[]): string[] {
  return [...new Set(roles)];
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credentials: UserCredentialsService,
    private readonly audit: AuditService,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  async create(tenantId: string, dto: CreateUserDto, meta: RequestMeta): Promise<User> {
    requireTenant(tenantId);
    const prepared = await this.prepare(dto);
    return this.dataSource.transaction((m) => this.insert(tenantId, prepared, meta, m));
  }

  /** Checks the password policy and hashes; call before opening a transaction. */
  async prepare(dto: CreateUserDto, passwordField = 'password'): Promise<PreparedUser> {
    const { password, ...rest } = dto;
    return { dto: rest, passwordHash: await this.credentials.checkedHash(password, passwordField) };
  }

  /** Inserts a prepared user and its USER_CREATED event within the caller's transaction. */
  async insert(
    tenantId: string,
    prepared: PreparedUser,
    meta: RequestMeta,
    m: EntityManager,
  ): Promise<User> {
    requireTenant(tenantId);
    const repo = m.getRepository(User);
    const { dto, passwordHash } = prepared;
    const user = repo.create({
      tenantId,
      username: dto.username,
      displayName: dto.displayName ?? null,
      email: dto.email ?? null,
      locale: dto.locale ?? null,
      roles: uniqueRoles(dto.roles),
      disabled: false,
      passwordHash,
    });
    try {
      await repo.insert(user);
    } catch (e) {
      if (isUniqueViolation(e))
        throw AppException.conflict('A user with this username already exists.');
      throw e;
    }
    const saved = await repo.findOneByOrFail({ id: user.id, tenantId });
    await this.audit.record(
      tenantId,
      {
        type: AuditEventType.USER_CREATED,
        userId: saved.id,
        ...auditedBy(meta),
        data: { username: saved.username, roles: saved.roles },
      },
      m,
    );
    return saved;
  }

  /**
   * A page of users by username. `sharedEmail` is about the 2FA addresses of `emailTypes` (the
   * channel types whose destinations are email addresses), whatever type is active.
   */
  async list(
    tenantId: string,
    query: ListUsersQueryDto,
    emailTypes: string[] = [],
  ): Promise<Page<User>> {
    requireTenant(tenantId);
    const limit = query.limit ?? 50;
    // eslint-disable-next-line no-control-regex
    const after = decodeCursor(query.cursor, 'user', /^[^\u0000]{1,64}$/);
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.tenant_id = :tenantId', { tenantId })
      .orderBy('lower(u.username)', 'ASC')
      .limit(limit + 1);
    if (query.username)
      qb.andWhere("lower(u.username) LIKE :prefix ESCAPE '\\'", {
        // Names are stored prepared (RFC 8265): `ＡＬ` finds `alice`. A prefix the profile refuses
        // alone (a trailing space) is only lower-cased.
        prefix: `${escapeLike(preparedUsernameOrNull(query.username) ?? query.username.toLowerCase())}%`,
      });
    if (after) qb.andWhere('lower(u.username) > :after', { after });
    if (query.sharedEmail !== undefined) {
      // Shares its 2FA email address with another user of the tenant (whatever channel is active).
      qb.andWhere(
        `${query.sharedEmail ? '' : 'NOT '}EXISTS (
          SELECT 1 FROM user_2fa a JOIN user_2fa b
            ON b.tenant_id = a.tenant_id AND b.channel_type = a.channel_type
           AND lower(b.destination) = lower(a.destination) AND b.user_id <> a.user_id
         WHERE a.user_id = u.id AND a.channel_type = ANY(:types) AND a.destination IS NOT NULL)`,
        { types: emailTypes },
      );
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: rows.length > limit ? encodeCursor('user', last.username.toLowerCase()) : null,
    };
  }

  async get(tenantId: string, id: string): Promise<User> {
    return this.findOrFail(tenantId, id);
  }

  /** For the access-token strategy: the user as stored now (null if gone). */
  /**
   * On every authenticated request: raw SQL, not the query builder (which costs about twice the
   * client CPU of the statement itself). Same fields as the entity, the hash never selected.
   */
  async findById(tenantId: string, id: string): Promise<User | null> {
    requireTenant(tenantId);
    const rows = (await this.dataSource.query(
      `SELECT id, tenant_id AS "tenantId", username, display_name AS "displayName", email, locale,
              roles, disabled, password_version AS "passwordVersion",
              two_factor_version AS "twoFactorVersion", created_at AS "createdAt",
              updated_at AS "updatedAt"
         FROM users WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    )) as User[];
    return rows[0] ?? null;
  }

  /** Checks and hashes a new password (argon2 runs before any transaction opens). */
  async prepareUpdate(dto: UpdateUserDto): Promise<PreparedUpdate> {
    const passwordHash =
      dto.password !== undefined
        ? await this.credentials.checkedHash(dto.password, 'password')
        : undefined;
    return { dto, passwordHash };
  }

  /**
   * Applies a prepared change within the caller's transaction (the row locked, so concurrent
   * updates apply one after the other) with its USER_UPDATED event; returns what changed, for
   * the caller to act on (ending sessions) in the same transaction.
   */
  async update(
    tenantId: string,
    id: string,
    { dto, passwordHash }: PreparedUpdate,
    meta: RequestMeta,
    m: EntityManager,
  ): Promise<{ user: User; changes: string[] }> {
    requireTenant(tenantId);
    const repo = m.getRepository(User);
    const user = await repo.findOne({
      where: { tenantId, id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!user) throw AppException.notFound('No such user in this tenant.');
    const changes: string[] = copyChanges(user, dto, ['displayName', 'email', 'locale']);
    if (dto.roles !== undefined) {
      const roles = uniqueRoles(dto.roles);
      if (roles.join('\u0000') !== user.roles.join('\u0000')) {
        user.roles = roles;
        changes.push('roles');
      }
    }
    changes.push(...copyChanges(user, dto, ['disabled']));
    const patch: Partial<User> = {
      displayName: user.displayName,
      email: user.email,
      locale: user.locale,
      roles: user.roles,
      disabled: user.disabled,
    };
    if (passwordHash !== undefined) {
      patch.passwordHash = passwordHash;
      patch.passwordVersion = user.passwordVersion + 1;
      changes.push('password');
    }
    if (changes.length) {
      await repo.update({ tenantId, id }, patch);
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.USER_UPDATED,
          userId: id,
          ...auditedBy(meta),
          data: {
            changes,
            ...(changes.includes('disabled') ? { disabled: user.disabled } : {}),
          },
        },
        m,
      );
    }
    return { user: await repo.findOneByOrFail({ tenantId, id }), changes };
  }

  async remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.transaction(async (m) => {
      // One statement decides who deleted it: of two concurrent deletes, one gets 404.
      const deleted = (await m.query(
        'DELETE FROM users WHERE tenant_id = $1 AND id = $2 RETURNING username',
        [tenantId, id],
      )) as [Array<{ username: string }>, number];
      const row = deleted[0][0];
      if (!row) throw AppException.notFound('No such user in this tenant.');
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.USER_DELETED,
          userId: id,
          ...auditedBy(meta),
          data: { username: row.username },
        },
        m,
      );
    });
  }

  private async findOrFail(tenantId: string, id: string): Promise<User> {
    requireTenant(tenantId);
    const user = await this.users.findOneBy({ tenantId, id });
    if (!user) throw AppException.notFound('No such user in this tenant.');
    return user;
  }
}
