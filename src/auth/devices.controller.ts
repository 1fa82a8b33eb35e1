import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccessToken, TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiRoute } from '../common/http/api-route.decorator';
import {
  CurrentTenant,
  CurrentUser,
  Meta,
  RequestMeta,
  ResolvedTenant,
  UserPrincipal,
} from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { DevicesView } from './devices-view.service';
import { DeviceListResponseDto } from './dto/device.dto';

/** The signed-in user's own devices (API.md v1.1 §7). */
@ApiTags('auth')
@Controller('v1/auth/me/devices')
@AccessToken()
export class MyDevicesController {
  constructor(private readonly devices: DevicesView) {}

  @Get()
  @ApiRoute({
    summary: "The caller's devices (browsers signed in from), remembered or not",
    ok: DeviceListResponseDto,
    errors: [ErrorCode.UNAUTHENTICATED],
  })
  list(@CurrentUser() principal: UserPrincipal) {
    return this.devices.list(principal.tenantId, principal.userId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    summary: "Revoke one of the caller's devices: its logins ask for the code again",
    noContent: true,
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.NOT_FOUND],
  })
  async revoke(
    @CurrentUser() principal: UserPrincipal,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.devices.revokeOwn(principal.tenantId, principal.userId, id, meta);
  }
}

/** A user's devices, for the tenant admin (API.md v1.1 §7). */
@TenantAdminController('users', 'users/:id/devices')
export class AdminDevicesController {
  constructor(private readonly devices: DevicesView) {}

  @Get()
  @ApiRoute({
    summary: "A user's devices, remembered or not",
    ok: DeviceListResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND],
  })
  list(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.devices.list(tenant.id, id);
  }

  @Delete(':deviceId')
  @HttpCode(204)
  @ApiRoute({
    summary: "Revoke a user's device: its logins ask for the code again",
    noContent: true,
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND],
  })
  async revoke(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @UuidParam('deviceId') deviceId: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.devices.revokeByAdmin(tenant.id, id, deviceId, meta);
  }
}
