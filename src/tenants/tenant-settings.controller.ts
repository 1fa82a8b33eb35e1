import { Body, Get, Put } from '@nestjs/common';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import {
  PutTwoFactorSettingsDto,
  TwoFactorSettingsResponseDto,
} from './dto/two-factor-settings.dto';
import { TenantSettingsService } from './tenant-settings.service';

@TenantAdminController('2FA settings', 'settings/2fa')
export class TenantSettingsController {
  constructor(private readonly settings: TenantSettingsService) {}

  @Get()
  @ApiRoute({ summary: "The tenant's 2FA settings", ok: TwoFactorSettingsResponseDto })
  get(@CurrentTenant() tenant: ResolvedTenant) {
    return this.settings.view(tenant.id);
  }

  @Put()
  @ApiRoute({
    summary: 'Replace the 2FA settings (omitted fields take their defaults); next login on',
    ok: TwoFactorSettingsResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.TWO_FACTOR_CHANNEL_REQUIRED],
  })
  put(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: PutTwoFactorSettingsDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.settings.put(tenant.id, dto, meta);
  }
}
