import { Body, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { CreateUserDto, UpdateUserDto } from '../users/dto/create-user.dto';
import { ListUsersQueryDto } from '../users/dto/list-users.dto';
import { UserPageResponseDto, UserResponseDto } from '../users/dto/user-response.dto';
import { AdminUsersService } from './admin-users.service';

@TenantAdminController('users', 'users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Post()
  @ApiRoute({
    summary: 'Create a user',
    created: UserResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.CONFLICT],
  })
  create(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: CreateUserDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.users.create(tenant.id, dto, meta);
  }

  @Get()
  @ApiRoute({
    summary: 'List users, by username, with a cursor',
    ok: UserPageResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  list(@CurrentTenant() tenant: ResolvedTenant, @Query() query: ListUsersQueryDto) {
    return this.users.list(tenant.id, query);
  }

  @Get(':id')
  @ApiRoute({ summary: 'Get a user', ok: UserResponseDto, errors: [ErrorCode.VALIDATION_FAILED] })
  get(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.users.get(tenant.id, id);
  }

  @Patch(':id')
  @ApiRoute({
    summary: 'Change a user (displayName, roles, password, disabled, email)',
    ok: UserResponseDto,
    errors: [...BODY_ERRORS],
  })
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
  @ApiRoute({ summary: 'Delete a user', errors: [ErrorCode.VALIDATION_FAILED] })
  async remove(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.users.remove(tenant.id, id, meta);
  }
}
