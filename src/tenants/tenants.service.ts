import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/query-guards';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { TENANT_SLUG } from '../common/validation/field-decorators';
import { UsersService } from '../users/users.service';
import { CreateTenantDto, UpdateTenantDto } from './dto/create-tenant.dto';
import { TenantResponseDto, toTenantView } from './dto/tenant-response.dto';
import { TenantTwoFactorSettings } from './entities/tenant-2fa-settings.entity';
import { Tenant } from './entities/tenant.entity';
import { SessionsService } from '../sessions/sessions.service';

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  /** The tenant, its 2FA settings row (disabled) and its first admin, in one transaction. */
  async create(dto: CreateTenantDto, meta: RequestMeta): Promise<TenantResponseDto> {
    // argon2 runs before the transaction: no connection or index entry is held while it hashes.
    const admin = await this.users.prepare(
      {
        username: dto.admin.username,
        password: dto.admin.password,
        roles: ['admin'],
        email: dto.admin.email,
        displayName: dto.admin.displayName,
      },
      'admin.password',
    );
    return this.dataSource.transaction(async (m) => {
      const tenant = m.getRepository(Tenant).create({
        slug: dto.slug,
        name: dto.name,
        status: 'active',
        defaultLocale: dto.defaultLocale ?? 'en',
      });
      try {
        await m.getRepository(Tenant).insert(tenant);
      } catch (e) {
        if (isUniqueViolation(e))
          throw AppException.conflict('A tenant with this slug already exists.');
        throw e;
      }
      await m
        .getRepository(TenantTwoFactorSettings)
        .insert({ tenantId: tenant.id, enabled: false });
      await this.audit.record(
        tenant.id,
        {
          type: AuditEventType.TENANT_CHANGED,
          ...auditedBy(meta),
          data: { action: 'created', slug: tenant.slug, name: tenant.name },
        },
        m,
      );
      await this.users.insert(tenant.id, admin, meta, m);
      return toTenantView(await m.getRepository(Tenant).findOneByOrFail({ id: tenant.id }));
    });
  }

  async list(): Promise<{ items: TenantResponseDto[] }> {
    const rows = await this.tenants.find({ order: { slug: 'ASC' } });
    return { items: rows.map(toTenantView) };
  }

  async get(slug: string): Promise<TenantResponseDto> {
    return toTenantView(await this.findOrFail(slug));
  }

  /** The tenant of a slug, or null. Used by login and the admin guard: always read fresh. */
  async findBySlug(slug: string): Promise<ResolvedTenant | null> {
    // Anything that is not a slug names no tenant (and never reaches SQL with a NUL in it).
    if (!TENANT_SLUG.test(slug)) return null;
    return this.findOne('slug', slug);
  }

  /** The tenant of an id, or null (refresh: a session knows its tenant by id). */
  async findById(id: string): Promise<ResolvedTenant | null> {
    return this.findOne('id', id);
  }

  /** On every request: raw SQL (the query builder would cost about twice the client CPU). */
  private async findOne(by: 'id' | 'slug', value: string): Promise<ResolvedTenant | null> {
    const rows = (await this.dataSource.query(
      `SELECT id, slug, name, status, default_locale AS "defaultLocale" FROM tenants WHERE ${by} = $1`,
      [value],
    )) as ResolvedTenant[];
    return rows[0] ?? null;
  }

  async update(slug: string, dto: UpdateTenantDto, meta: RequestMeta): Promise<TenantResponseDto> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(Tenant);
      const tenant = TENANT_SLUG.test(slug)
        ? await repo.findOne({ where: { slug }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!tenant) throw AppException.notFound('No such tenant.');
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (dto.name !== undefined && dto.name !== tenant.name)
        changes.name = { from: tenant.name, to: dto.name };
      if (dto.status !== undefined && dto.status !== tenant.status)
        changes.status = { from: tenant.status, to: dto.status };
      if (dto.defaultLocale !== undefined && dto.defaultLocale !== tenant.defaultLocale)
        changes.defaultLocale = { from: tenant.defaultLocale, to: dto.defaultLocale };
      if (Object.keys(changes).length) {
        await repo.update(
          { id: tenant.id },
          {
            name: dto.name ?? tenant.name,
            status: dto.status ?? tenant.status,
            defaultLocale: dto.defaultLocale ?? tenant.defaultLocale,
          },
        );
        await this.audit.record(
          tenant.id,
          {
            type: AuditEventType.TENANT_CHANGED,
            ...auditedBy(meta),
            data: { action: 'updated', changes },
          },
          m,
        );
        // A disabled tenant's users are signed out everywhere, with the change.
        if (changes.status?.to === 'disabled')
          await this.sessions.revokeAllOfTenant(tenant.id, 'tenant_disabled', auditedBy(meta), m);
      }
      return toTenantView(await repo.findOneByOrFail({ id: tenant.id }));
    });
  }

  /** True when no tenant exists yet (the development bootstrap runs only then). */
  async isEmpty(): Promise<boolean> {
    return (await this.tenants.count({ take: 1 })) === 0;
  }

  private async findOrFail(slug: string): Promise<Tenant> {
    const t = TENANT_SLUG.test(slug) ? await this.tenants.findOneBy({ slug }) : null;
    if (!t) throw AppException.notFound('No such tenant.');
    return t;
  }
}
