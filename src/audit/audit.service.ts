import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import sql, { raw, Sql } from 'sql-template-tag';
import { EntityManager, Repository } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from '../common/http/pagination';
import { Actor, RequestMeta } from '../common/http/request-context';
import { requireTenant } from '../database/query-guards';
import { AuditEventType } from './audit-event-type';
import { AuditEventResponseDto, ListAuditEventsQueryDto } from './dto/list-audit-events.dto';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditEntry {
  type: AuditEventType;
  /** The user the event is about. */
  userId?: string | null;
  actor: Actor;
  ip?: string | null;
  userAgent?: string | null;
  /** Exact reasons for admins; never a code, password, token or secret. */
  data?: Record<string, unknown>;
}

/** Who acted, from where: the request's actor, client IP and user agent. */
export function auditedBy(meta: RequestMeta): Pick<AuditEntry, 'actor' | 'ip' | 'userAgent'> {
  return { actor: meta.actor, ip: meta.ip, userAgent: meta.userAgent };
}

/** An event a user causes about themselves (sign-in steps): subject and actor are the user. */
export function bySelf(
  userId: string,
  meta: Pick<RequestMeta, 'ip' | 'userAgent'>,
): Pick<AuditEntry, 'userId' | 'actor' | 'ip' | 'userAgent'> {
  return { userId, actor: { type: 'user', id: userId }, ip: meta.ip, userAgent: meta.userAgent };
}

@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly detached = new Set<Promise<void>>();

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /**
   * Writes an event without making the caller wait: for failure paths whose answer time must not
   * depend on whether there was anything to write (login: an unknown tenant writes nothing).
   * Listings and shutdown wait for these writes, so nothing is lost or seen late here.
   */
  recordDetached(tenantId: string, entry: AuditEntry | AuditEntry[]): void {
    const entries = Array.isArray(entry) ? entry : [entry];
    const write = this.recordAll(tenantId, entries).catch((err: unknown) =>
      this.logger.error(
        { err, types: entries.map((e) => e.type) },
        'audit event could not be written',
      ),
    );
    this.detached.add(write);
    void write.finally(() => this.detached.delete(write));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.detached]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Writes one event; pass the transaction's manager so the event commits with the change. */
  record(tenantId: string, entry: AuditEntry, manager?: EntityManager): Promise<void> {
    return this.recordAll(tenantId, [entry], manager);
  }

  /** Writes events in one statement (one round trip), in order. */
  async recordAll(tenantId: string, entries: AuditEntry[], manager?: EntityManager): Promise<void> {
    requireTenant(tenantId);
    if (!entries.length) return;
    const params: unknown[] = [];
    const rows = entries.map((e) => {
      const n = params.push(
        tenantId,
        e.type,
        e.userId ?? null,
        e.actor.type,
        e.actor.id,
        e.ip ?? null,
        e.userAgent ?? null,
        JSON.stringify(e.data ?? {}),
      );
      const p = (i: number) => `$${n - 8 + i}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::jsonb)`;
    });
    await (manager ?? this.events.manager).query(
      `INSERT INTO audit_events (tenant_id, type, user_id, actor_type, actor_id, ip, user_agent, data)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /**
   * Events as a CTE of the caller's statement, so they commit with the change they describe:
   * one event for each row (`ord`, `type`, `data`) of the CTE `rows`, in `ord` order, each
   * `data` merged over `base`.
   */
  insertion(
    tenantId: string,
    who: Pick<AuditEntry, 'userId' | 'actor' | 'ip' | 'userAgent'>,
    base: Record<string, unknown>,
    rows: string,
  ): Sql {
    requireTenant(tenantId);
    return sql`audit_rows AS (
      INSERT INTO audit_events (tenant_id, type, user_id, actor_type, actor_id, ip, user_agent, data)
      SELECT ${tenantId}::uuid, r.type, ${who.userId ?? null}::uuid, ${who.actor.type},
             ${who.actor.id}::uuid, ${who.ip ?? null}, ${who.userAgent ?? null},
             ${JSON.stringify(base)}::jsonb || r.data
        FROM ${raw(rows)} r ORDER BY r.ord
    )`;
  }

  async list(
    tenantId: string,
    query: ListAuditEventsQueryDto,
  ): Promise<Page<AuditEventResponseDto>> {
    requireTenant(tenantId);
    await this.flush();
    const limit = query.limit ?? 50;
    const before = decodeCursor(query.cursor, 'audit', /^\d{1,19}$/);
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId })
      .orderBy('e.seq', 'DESC')
      .limit(limit + 1);
    if (query.type) qb.andWhere('e.type = :type', { type: query.type });
    if (query.userId) qb.andWhere('e.user_id = :userId', { userId: query.userId });
    if (query.from) qb.andWhere('e.created_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.created_at < :to', { to: query.to });
    if (before) qb.andWhere('e.seq < :before', { before });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? encodeCursor('audit', page[page.length - 1].seq) : null,
    };
  }

  /** One event as the listing shows it (null: no such event in this tenant). */
  async find(tenantId: string, id: string): Promise<AuditEventResponseDto | null> {
    requireTenant(tenantId);
    const event = await this.events.findOneBy({ tenantId, id });
    return event ? toView(event) : null;
  }
}

function toView(e: AuditEvent): AuditEventResponseDto {
  return {
    id: e.id,
    type: e.type,
    userId: e.userId,
    actor: { type: e.actorType, id: e.actorId },
    ip: e.ip,
    userAgent: e.userAgent,
    createdAt: e.createdAt.toISOString(),
    data: e.data,
  };
}
