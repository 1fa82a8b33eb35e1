import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { requireTenant } from '../database/query-guards';
import { Channel } from './entities/channel.entity';

/** `secrets` is select:false (never loaded by accident): ask for every column explicitly. */
export const CHANNEL_WITH_SECRETS = {
  id: true,
  tenantId: true,
  type: true,
  name: true,
  enabled: true,
  active: true,
  config: true,
  createdAt: true,
  updatedAt: true,
  secrets: true,
} as const;

/** The channels table: every read and write of channels goes through here. */
@Injectable()
export class ChannelsRepository {
  constructor(@InjectRepository(Channel) private readonly channels: Repository<Channel>) {}

  /** One channel of the tenant with its sealed secrets (locked in `m` when asked), or 404. */
  async findOrFail(
    tenantId: string,
    id: string,
    m?: EntityManager,
    lock = false,
  ): Promise<Channel> {
    requireTenant(tenantId);
    const repo = m ? m.getRepository(Channel) : this.channels;
    const row = await repo.findOne({
      where: { tenantId, id },
      select: CHANNEL_WITH_SECRETS,
      ...(lock && m ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw AppException.notFound('No such channel in this tenant.');
    return row;
  }

  list(tenantId: string): Promise<Channel[]> {
    requireTenant(tenantId);
    return this.channels.find({
      where: { tenantId },
      order: { createdAt: 'ASC', id: 'ASC' },
      select: CHANNEL_WITH_SECRETS,
    });
  }

  /** The oldest enabled channel of `type`, or null. */
  firstEnabledOfType(tenantId: string, type: string): Promise<Channel | null> {
    requireTenant(tenantId);
    return this.channels.findOne({
      where: { tenantId, type, enabled: true },
      select: CHANNEL_WITH_SECRETS,
      order: { createdAt: 'ASC' },
    });
  }

  async activeType(tenantId: string): Promise<string | null> {
    requireTenant(tenantId);
    const row = await this.channels.findOne({
      where: { tenantId, active: true },
      select: { type: true },
    });
    return row?.type ?? null;
  }

  /** Locked in `m`: a concurrent disable or delete of this channel waits for the caller. */
  lockedInTransaction(tenantId: string, id: string, m: EntityManager): Promise<Channel | null> {
    return m
      .getRepository(Channel)
      .findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Makes `id` the tenant's one active channel (none for null), in the caller's transaction. */
  async activate(tenantId: string, id: string | null, m: EntityManager): Promise<void> {
    requireTenant(tenantId);
    await m.query(
      'UPDATE channels SET active = false WHERE tenant_id = $1 AND active AND id IS DISTINCT FROM $2',
      [tenantId, id],
    );
    if (id)
      await m.query('UPDATE channels SET active = true WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        id,
      ]);
  }

  async insert(row: Partial<Channel>, m: EntityManager): Promise<string> {
    return (await m.getRepository(Channel).insert(row)).identifiers[0].id as string;
  }

  async update(
    tenantId: string,
    id: string,
    patch: Partial<Channel>,
    m: EntityManager,
  ): Promise<void> {
    await m.getRepository(Channel).update({ tenantId, id }, patch);
  }

  async delete(tenantId: string, id: string, m: EntityManager): Promise<void> {
    await m.getRepository(Channel).delete({ tenantId, id });
  }
}
