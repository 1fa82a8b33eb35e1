import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { AdminTwoFactorService } from './admin-two-factor.service';

@ApiTags('tenant admin: users')
@Controller('v1/tenants/:slug/users/:id/2fa')
@TenantAdmin()
export class AdminTwoFactorController {
  constructor(private readonly admin: AdminTwoFactorService) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: "Reset a user's 2FA: registrations removed, lock cleared; next login registers",
  })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async reset(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ) {
    await this.admin.reset(tenant.id, id, meta);
  }

  @Delete('lock')
  @HttpCode(204)
  @ApiOperation({ summary: "Clear a user's 2FA lock and failure count" })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async unlock(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ) {
    await this.admin.unlock(tenant.id, id, meta);
  }
}
