import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { channelColumns, ChannelRow } from '../channels/channel.row';
import { ChannelsService, UsableChannel } from '../channels/channels.service';
import { runPrepared } from '../database/prepared-statement';
import { requireTenant } from '../database/query-guards';
import { TwoFactorStateView } from '../otp/otp.types';
import { TwoFactorStateService } from '../otp/two-factor-state.service';
import { KnownDevice, RememberedDevices } from '../sessions/remembered-devices.service';
import { settingsColumns, settingsFromRow, SettingsRow } from '../tenants/settings.row';
import { TwoFactorSettings } from '../tenants/tenant-settings.service';
import {
  registrationsColumn,
  registrationsFromRow,
  RegistrationsRow,
} from '../users/registration.row';
import { TwoFactorRegistration } from '../users/two-factor-registrations.service';

/** What a login needs after the password, read fresh (a settings change holds at once). */
export interface LoginContext {
  settings: TwoFactorSettings;
  /** The account's 2FA lock (its state row is created here when 2FA is on). */
  lock: TwoFactorStateView;
  /** The channel the settings name, or null. */
  usable: UsableChannel | null;
  /** The user's confirmed registrations, oldest first. */
  registrations: TwoFactorRegistration[];
  /** The live device the login's `deviceToken` names, if it is this user's (v1.1 §7). */
  device: KnownDevice | null;
}

/**
 * The tenant's 2FA settings, the active channel, the account's lock, the user's registrations and
 * the login's device in ONE prepared statement (each module owns its columns and their mapping; this only joins).
 */
@Injectable()
export class LoginContextReader {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly channels: ChannelsService,
    private readonly devices: RememberedDevices,
  ) {}

  async read(
    tenantId: string,
    userId: string,
    device: { token: string | null; passwordVersion: number; twoFactorVersion: number },
  ): Promise<LoginContext> {
    requireTenant(tenantId);
    const state = TwoFactorStateService.opening(
      tenantId,
      userId,
      sql`EXISTS (SELECT 1 FROM tenant_2fa_settings WHERE tenant_id = ${tenantId}::uuid AND enabled)`,
    );
    type Row = { device: KnownDevice | null } & SettingsRow &
      ChannelRow &
      RegistrationsRow &
      Parameters<typeof TwoFactorStateService.lockFromRow>[0];
    const [row] = await runPrepared<Row>(
      this.dataSource,
      sql`WITH ${state.cte}
          SELECT ${settingsColumns('s')}, ${channelColumns('c')}, ${state.column},
                 ${registrationsColumn(tenantId, userId)},
                 ${this.devices.lookupColumn(tenantId, userId, device.token, device, 's')}
            FROM tenant_2fa_settings s
            LEFT JOIN channels c ON c.tenant_id = s.tenant_id AND c.id = s.channel_id
           WHERE s.tenant_id = ${tenantId}::uuid`,
    );
    return {
      settings: settingsFromRow(row),
      lock: TwoFactorStateService.lockFromRow(row),
      usable: this.channels.usableFromRow(row),
      registrations: registrationsFromRow(row),
      device: RememberedDevices.knownFromRow(row),
    };
  }
}
