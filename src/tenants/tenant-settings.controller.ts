import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import {
  PutTwoFactorSettingsDto,
  TwoFactorSettingsResponseDto,
} from './dto/two-factor-settings.dto';
import { TenantSettingsService } from './tenant-settings.service';

@ApiTags('tenant admin: 2FA settings')
@Controller('v1/tenants/:slug/settings/2fa')
@TenantAdmin()
export class TenantSettingsController {
  constructor(private readonly settings: TenantSettingsService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's 2FA settings" })
  @ApiOkResponse({ type: TwoFactorSettingsResponseDto })
  get(@CurrentTenant() tenant: ResolvedTenant) {
    return this.settings.view(tenant.id);
  }

  @Put()
  @ApiOperation({
    summary: 'Replace the 2FA settings (omitted fields take their defaults); next login on',
  })
  @ApiOkResponse({ type: TwoFactorSettingsResponseDto })
  @ApiErrors(...BODY_ERRORS, ErrorCode.TWO_FACTOR_CHANNEL_REQUIRED)
  put(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: PutTwoFactorSettingsDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.settings.put(tenant.id, dto, meta);
  }
}
