import { Delete, HttpCode } from '@nestjs/common';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { AdminTwoFactorService } from './admin-two-factor.service';

@TenantAdminController('users', 'users/:id/2fa')
export class AdminTwoFactorController {
  constructor(private readonly admin: AdminTwoFactorService) {}

  @Delete()
  @HttpCode(204)
  @ApiRoute({
    summary: "Reset a user's 2FA: registrations removed, lock cleared; next login registers",
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  async reset(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ) {
    await this.admin.reset(tenant.id, id, meta);
  }

  @Delete('lock')
  @HttpCode(204)
  @ApiRoute({
    summary: "Clear a user's 2FA lock and failure count",
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  async unlock(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ) {
    await this.admin.unlock(tenant.id, id, meta);
  }
}
