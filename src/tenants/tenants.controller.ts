import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PlatformKey, TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { CreateTenantDto, UpdateTenantDto } from './dto/create-tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('platform: tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @PlatformKey()
  @ApiOperation({ summary: 'Create a tenant and its first admin user' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  create(@Body() dto: CreateTenantDto, @Meta() meta: RequestMeta) {
    return this.tenants.create(dto, meta);
  }

  @Get()
  @PlatformKey()
  @ApiOperation({ summary: 'List tenants' })
  list() {
    return this.tenants.list();
  }

  @Get(':slug')
  @TenantAdmin()
  @ApiOperation({ summary: "Get a tenant (platform key or that tenant's admin)" })
  get(@CurrentTenant() tenant: ResolvedTenant) {
    return this.tenants.get(tenant.slug);
  }

  @Patch(':slug')
  @PlatformKey()
  @ApiOperation({ summary: 'Rename, disable or re-enable a tenant' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND)
  update(@Param('slug') slug: string, @Body() dto: UpdateTenantDto, @Meta() meta: RequestMeta) {
    return this.tenants.update(slug, dto, meta);
  }
}
