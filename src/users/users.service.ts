import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { authConfig } from '../../config/app-config';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { isUniqueViolation, requireTenant } from '../database/query-guards';
import { AppException } from '../common/errors/app.exception';
import { decodeCursor, encodeCursor, Page } from '../common/http/pagination';
import { RequestMeta } from '../common/http/request-context';
import { CreateUserDto, UpdateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.dto';
import { toUserView, UserView } from './dto/user.view';
import { User } from './entities/user.entity';
import { PasswordHasher } from './password-hasher.service';

/** What login needs of a user: the hash is selected only here. */
export interface UserCredentials {
  id: string;
  tenantId: string;
  username: string;
  roles: string[];
  disabled: boolean;
  passwordHash: string;
  passwordVersion: number;
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
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  /** Creates a user; pass `manager` to take part in the caller's transaction. */
  async create(
    tenantId: string,
    dto: CreateUserDto,
    meta: RequestMeta,
    manager?: EntityManager,
  ): Promise<UserView> {
    requireTenant(tenantId);
    this.checkPassword(dto.password, 'password');
    const passwordHash = await this.hasher.hash(dto.password);
    const run = async (m: EntityManager) => {
      const user = m.getRepository(User).create({
        tenantId,
        username: dto.username,
        displayName: dto.displayName ?? null,
        email: dto.email ?? null,
        roles: uniqueRoles(dto.roles),
        disabled: false,
        passwordHash,
      });
      try {
        await m.getRepository(User).insert(user);
      } catch (e) {
        if (isUniqueViolation(e))
          throw AppException.conflict('A user with this username already exists.');
        throw e;
      }
      const saved = await m.getRepository(User).findOneByOrFail({ id: user.id, tenantId });
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
      return toUserView(saved);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async list(tenantId: string, query: ListUsersQueryDto): Promise<Page<UserView>> {
    requireTenant(tenantId);
    // No user has a 2FA address before 2FA registration exists, so none shares one.
    if (query.sharedEmail) return { items: [], nextCursor: null };
    const limit = query.limit ?? 50;
    // eslint-disable-next-line no-control-regex
    const after = decodeCursor(query.cursor, /^[^\u0000]{1,64}$/);
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.tenant_id = :tenantId', { tenantId })
      .orderBy('lower(u.username)', 'ASC')
      .limit(limit + 1);
    if (query.username)
      qb.andWhere("lower(u.username) LIKE :prefix ESCAPE '\\'", {
        prefix: `${escapeLike(query.username.toLowerCase())}%`,
      });
    if (after) qb.andWhere('lower(u.username) > :after', { after });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toUserView),
      nextCursor:
        rows.length > limit ? encodeCursor(page[page.length - 1].username.toLowerCase()) : null,
    };
  }

  async get(tenantId: string, id: string): Promise<UserView> {
    return toUserView(await this.findOrFail(tenantId, id));
  }

  /** For the access-token strategy: the user as stored now (null if gone). */
  async findById(tenantId: string, id: string): Promise<User | null> {
    requireTenant(tenantId);
    return this.users.findOneBy({ tenantId, id });
  }

  /** For login: the user with its hash, found case-insensitively. */
  async findCredentials(tenantId: string, username: string): Promise<UserCredentials | null> {
    requireTenant(tenantId);
    const row = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.tenant_id = :tenantId AND lower(u.username) = lower(:username)', {
        tenantId,
        username,
      })
      .getOne();
    return row
      ? {
          id: row.id,
          tenantId: row.tenantId,
          username: row.username,
          roles: row.roles,
          disabled: row.disabled,
          passwordHash: row.passwordHash,
          passwordVersion: row.passwordVersion,
        }
      : null;
  }

  async verifyPassword(credentials: UserCredentials | null, password: string): Promise<boolean> {
    return this.hasher.verify(credentials?.passwordHash ?? null, password);
  }

  async update(
    tenantId: string,
    id: string,
    dto: UpdateUserDto,
    meta: RequestMeta,
  ): Promise<UserView> {
    requireTenant(tenantId);
    await this.findOrFail(tenantId, id);
    if (dto.password !== undefined) this.checkPassword(dto.password, 'password');
    const passwordHash =
      dto.password !== undefined ? await this.hasher.hash(dto.password) : undefined;
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(User);
      // Lock the row so concurrent updates apply one after the other.
      const user = await repo.findOne({
        where: { tenantId, id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw AppException.notFound('No such user in this tenant.');
      const changes: string[] = [];
      if (dto.displayName !== undefined && dto.displayName !== user.displayName) {
        user.displayName = dto.displayName;
        changes.push('displayName');
      }
      if (dto.email !== undefined && dto.email !== user.email) {
        user.email = dto.email;
        changes.push('email');
      }
      if (dto.roles !== undefined) {
        const roles = uniqueRoles(dto.roles);
        if (roles.join('\u0000') !== user.roles.join('\u0000')) {
          user.roles = roles;
          changes.push('roles');
        }
      }
      if (dto.disabled !== undefined && dto.disabled !== user.disabled) {
        user.disabled = dto.disabled;
        changes.push('disabled');
      }
      const patch: Partial<User> = {
        displayName: user.displayName,
        email: user.email,
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
            data: { changes, ...(changes.includes('disabled') ? { disabled: user.disabled } : {}) },
          },
          m,
        );
      }
      return toUserView(await repo.findOneByOrFail({ tenantId, id }));
    });
  }

  async remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    await this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(User);
      const user = await repo.findOneBy({ tenantId, id });
      if (!user) throw AppException.notFound('No such user in this tenant.');
      await repo.delete({ tenantId, id });
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.USER_DELETED,
          userId: id,
          ...auditedBy(meta),
          data: { username: user.username },
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

  /** PASSWORD_MIN_LENGTH; the DTOs already cap it at 256. */
  checkPassword(password: string, field: string): void {
    const min = this.cfg.passwordMinLength;
    if (password.length < min) {
      throw AppException.validation([
        { field, message: `${field} must be at least ${min} characters long` },
      ]);
    }
  }
}
