import { Injectable } from '@nestjs/common';
import { auditedBy, bySelf } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta } from '../common/http/request-context';
import { RememberedDevices } from '../sessions/remembered-devices.service';
import { TenantSettingsService } from '../tenants/tenant-settings.service';
import { UsersService } from '../users/users.service';
import { DeviceListResponseDto } from './dto/device.dto';

const noSuchDevice = () => AppException.notFound('No such device.');

/**
 * The device lists and revocations of `/v1/auth/me/devices` and the tenant admin's
 * `/v1/tenants/{slug}/users/{id}/devices` (API.md v1.1 §7): sessions' devices shown against the
 * user's state (users) and the tenant's switch (tenants), which decide `remembered`.
 */
@Injectable()
export class DevicesView {
  constructor(
    private readonly devices: RememberedDevices,
    private readonly users: UsersService,
    private readonly settings: TenantSettingsService,
  ) {}

  async list(tenantId: string, userId: string): Promise<DeviceListResponseDto> {
    const [user, settings] = await Promise.all([
      this.users.findById(tenantId, userId),
      this.settings.get(tenantId),
    ]);
    if (!user) throw AppException.notFound('No such user in this tenant.');
    const items = await this.devices.list(tenantId, userId, {
      passwordVersion: user.passwordVersion,
      twoFactorVersion: user.twoFactorVersion,
      allowed: !user.disabled && settings.rememberDevice.enabled,
    });
    return { items };
  }

  /** The user revokes one of their devices: DEVICE_REVOKED reason `user`; 404 if not theirs. */
  async revokeOwn(tenantId: string, userId: string, deviceId: string, meta: RequestMeta) {
    const { actor, ip, userAgent } = bySelf(userId, meta);
    if (!(await this.devices.revoke(tenantId, userId, deviceId, 'user', { actor, ip, userAgent })))
      throw noSuchDevice();
  }

  /** A tenant admin revokes a user's device: DEVICE_REVOKED reason `admin`. */
  async revokeByAdmin(tenantId: string, userId: string, deviceId: string, meta: RequestMeta) {
    if (!(await this.devices.revoke(tenantId, userId, deviceId, 'admin', auditedBy(meta))))
      throw noSuchDevice();
  }
}
