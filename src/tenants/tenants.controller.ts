import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PlatformKey, TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { CreateTenantDto, UpdateTenantDto } from './dto/create-tenant.dto';
import { TenantListResponseDto, TenantResponseDto } from './dto/tenant-response.dto';
import { TenantsService } from './tenants.service';

@ApiTags('platform: tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @PlatformKey()
  @ApiRoute({
    summary: 'Create a tenant and its first admin user',
    created: TenantResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.CONFLICT],
  })
  create(@Body() dto: CreateTenantDto, @Meta() meta: RequestMeta) {
    return this.tenants.create(dto, meta);
  }

  @Get()
  @PlatformKey()
  @ApiRoute({ summary: 'List tenants', ok: TenantListResponseDto })
  list() {
    return this.tenants.list();
  }

  @Get(':slug')
  @TenantAdmin()
  @ApiRoute({
    summary: "Get a tenant (platform key or that tenant's admin)",
    ok: TenantResponseDto,
  })
  get(@CurrentTenant() tenant: ResolvedTenant) {
    return this.tenants.get(tenant.slug);
  }

  @Patch(':slug')
  @PlatformKey()
  @ApiRoute({
    summary: 'Rename, disable or re-enable a tenant',
    ok: TenantResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.NOT_FOUND],
  })
  update(@Param('slug') slug: string, @Body() dto: UpdateTenantDto, @Meta() meta: RequestMeta) {
    return this.tenants.update(slug, dto, meta);
  }
}
