import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessToken, TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import {
  CurrentPrincipal,
  CurrentTenant,
  Meta,
  Principal,
  RequestMeta,
  ResolvedTenant,
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
  @ApiOperation({ summary: "The caller's devices (browsers signed in from), remembered or not" })
  @ApiOkResponse({ type: DeviceListResponseDto })
  @ApiErrors(ErrorCode.UNAUTHENTICATED)
  list(@CurrentPrincipal() principal: Principal) {
    if (principal.kind !== 'user') throw new Error('unreachable: @AccessToken admits users only');
    return this.devices.list(principal.tenantId, principal.userId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: "Revoke one of the caller's devices: its logins ask for the code again",
  })
  @ApiNoContentResponse()
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.NOT_FOUND)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    if (principal.kind !== 'user') throw new Error('unreachable: @AccessToken admits users only');
    await this.devices.revokeOwn(principal.tenantId, principal.userId, id, meta);
  }
}

/** A user's devices, for the tenant admin (API.md v1.1 §7). */
@ApiTags('tenant admin: users')
@Controller('v1/tenants/:slug/users/:id/devices')
@TenantAdmin()
export class AdminDevicesController {
  constructor(private readonly devices: DevicesView) {}

  @Get()
  @ApiOperation({ summary: "A user's devices, remembered or not" })
  @ApiOkResponse({ type: DeviceListResponseDto })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND)
  list(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.devices.list(tenant.id, id);
  }

  @Delete(':deviceId')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke a user's device: its logins ask for the code again" })
  @ApiNoContentResponse()
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND)
  async revoke(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @UuidParam('deviceId') deviceId: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.devices.revokeByAdmin(tenant.id, id, deviceId, meta);
  }
}
