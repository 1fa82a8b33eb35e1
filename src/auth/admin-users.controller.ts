import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { CreateUserDto, UpdateUserDto } from '../users/dto/create-user.dto';
import { ListUsersQueryDto } from '../users/dto/list-users.dto';
import { UserPageResponseDto, UserResponseDto } from '../users/dto/user-response.dto';
import { AdminUsersService } from './admin-users.service';

@ApiTags('tenant admin: users')
@Controller('v1/tenants/:slug/users')
@TenantAdmin()
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiErrors(...BODY_ERRORS, ErrorCode.CONFLICT)
  create(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: CreateUserDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.users.create(tenant.id, dto, meta);
  }

  @Get()
  @ApiOperation({ summary: 'List users, by username, with a cursor' })
  @ApiOkResponse({ type: UserPageResponseDto })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  list(@CurrentTenant() tenant: ResolvedTenant, @Query() query: ListUsersQueryDto) {
    return this.users.list(tenant.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  get(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.users.get(tenant.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user (displayName, roles, password, disabled, email)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(...BODY_ERRORS)
  update(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Body() dto: UpdateUserDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.users.update(tenant.id, id, dto, meta);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async remove(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.users.remove(tenant.id, id, meta);
  }
}
