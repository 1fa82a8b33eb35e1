import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { auditedBy } from '../audit/audit.service';
import { ChannelsService } from '../channels/channels.service';
import { Page } from '../common/http/pagination';
import { RequestMeta } from '../common/http/request-context';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { TwoFactorStateService } from '../otp/two-factor-state.service';
import { SessionEndReason } from '../sessions/entities/refresh-session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { CreateUserDto, UpdateUserDto } from '../users/dto/create-user.dto';
import { ListUsersQueryDto } from '../users/dto/list-users.dto';
import { toUserView, UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { UsersService } from '../users/users.service';

/**
 * The tenant admin's users as API.md shows them: users' own CRUD combined with what other modules
 * know of each user (the registration for the active channel type, the lock, the recovery codes
 * left, sharedEmail), and
 * the sessions a change ends, in the change's transaction. users depends on audit only; the
 * combining lives here (DESIGN.md).
 */
@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly channels: ChannelsService,
    private readonly twoFactorState: TwoFactorStateService,
    private readonly sessions: SessionsService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly devices: RememberedDevices,
  ) {}

  async create(tenantId: string, dto: CreateUserDto, meta: RequestMeta): Promise<UserResponseDto> {
    return this.view(tenantId, await this.users.create(tenantId, dto, meta));
  }

  async list(tenantId: string, query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const page = await this.users.list(tenantId, query, this.channels.emailTypes());
    return { items: await this.views(tenantId, page.items), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<UserResponseDto> {
    return this.view(tenantId, await this.users.get(tenantId, id));
  }

  /** Disabling the user or changing the password ends their sessions, in the same transaction. */
  async update(
    tenantId: string,
    id: string,
    dto: UpdateUserDto,
    meta: RequestMeta,
  ): Promise<UserResponseDto> {
    await this.users.get(tenantId, id);
    const prepared = await this.users.prepareUpdate(dto);
    const user = await this.dataSource.transaction(async (m) => {
      const { user, changes } = await this.users.update(tenantId, id, prepared, meta, m);
      const ends: SessionEndReason | null =
        changes.includes('disabled') && user.disabled
          ? 'user_disabled'
          : changes.includes('password')
            ? 'password_changed'
            : null;
      if (ends) await this.sessions.revokeAllOfUser(tenantId, id, ends, auditedBy(meta), m);
      // A disabled user's devices are not remembered again after re-enabling (v1.1 §7); a
      // password change ends remembering by its version, the devices stay known (§9).
      if (ends === 'user_disabled')
        await this.devices.revokeAllForUser(tenantId, id, 'user_disabled', auditedBy(meta), m);
      return user;
    });
    return this.view(tenantId, user);
  }

  remove(tenantId: string, id: string, meta: RequestMeta): Promise<void> {
    return this.users.remove(tenantId, id, meta);
  }

  async view(tenantId: string, user: User): Promise<UserResponseDto> {
    return (await this.views(tenantId, [user]))[0];
  }

  /** A page of users with their 2FA state, in four queries for the page. */
  private async views(tenantId: string, users: User[]): Promise<UserResponseDto[]> {
    const ids = users.map((u) => u.id);
    const [activeType, registrations, states, shared, recovery] = await Promise.all([
      this.channels.activeType(tenantId),
      this.registrations.ofUsers(tenantId, ids),
      this.twoFactorState.of(tenantId, ids),
      this.registrations.sharingAddress(tenantId, this.channels.emailTypes(), ids),
      this.recoveryCodes.remaining(tenantId, ids),
    ]);
    const now = Date.now();
    return users.map((u) => {
      const all = registrations.get(u.id) ?? [];
      const current = all.find((r) => r.channelType === activeType);
      const state = states.get(u.id);
      const lockedUntil =
        state?.lockedUntil && state.lockedUntil.getTime() > now
          ? state.lockedUntil.toISOString()
          : null;
      return toUserView(
        u,
        {
          registered: current !== undefined,
          channelType: activeType,
          destination: current?.destination ?? null,
          registeredAt: current?.confirmedAt.toISOString() ?? null,
          lockedUntil,
          lockedIndefinitely: state?.lockedIndefinitely ?? false,
          consecutiveFailures: state?.consecutiveFailures ?? 0,
          recoveryCodesRemaining: recovery.get(u.id) ?? 0,
          others: all
            .filter((r) => r.channelType !== activeType)
            .map((r) => ({
              channelType: r.channelType,
              registeredAt: r.confirmedAt.toISOString(),
            })),
        },
        shared.has(u.id),
      );
    });
  }
}
