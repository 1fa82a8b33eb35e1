import { Body, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { UuidParam } from '../common/validation/uuid-param.decorator';
import { ChannelTester } from './channel-tester.service';
import { ChannelAdminService } from './channel-admin.service';
import {
  ChannelListResponseDto,
  ChannelResponseDto,
  ChannelTestDto,
  ChannelTestResponseDto,
  CreateChannelDto,
  UpdateChannelDto,
} from './dto/channel.dto';

@TenantAdminController('channels', 'channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelAdminService,
    private readonly tester: ChannelTester,
  ) {}

  @Post()
  @ApiRoute({
    summary: 'Create a channel (email, authenticator, …); secrets are write-only',
    created: ChannelResponseDto,
    errors: [...BODY_ERRORS],
  })
  create(
    @CurrentTenant() tenant: ResolvedTenant,
    @Body() dto: CreateChannelDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.channels.create(tenant.id, dto, meta);
  }

  @Get()
  @ApiRoute({ summary: 'List channels', ok: ChannelListResponseDto })
  list(@CurrentTenant() tenant: ResolvedTenant) {
    return this.channels.list(tenant.id);
  }

  @Get(':id')
  @ApiRoute({
    summary: 'Get a channel',
    ok: ChannelResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  get(@CurrentTenant() tenant: ResolvedTenant, @UuidParam('id') id: string) {
    return this.channels.get(tenant.id, id);
  }

  @Patch(':id')
  @ApiRoute({
    summary: 'Change a channel; config merges key by key (omitted: kept, null: cleared)',
    ok: ChannelResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.CONFLICT],
  })
  update(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Body() dto: UpdateChannelDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.channels.update(tenant.id, id, dto, meta);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Delete a channel (not the active one: 409)',
    errors: [ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT],
  })
  async remove(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.channels.remove(tenant.id, id, meta);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Send a test message through the channel (no code); 10 per tenant per minute',
    description:
      'Audited as CHANNEL_TESTED { channelId, ok, reason } (reason e.g. smtp_tls_unavailable, ' +
      'smtp_tls_failed, smtp_auth_failed, smtp_timeout).',
    ok: ChannelTestResponseDto,
    errors: [
      ...BODY_ERRORS,
      ErrorCode.CONFLICT,
      ErrorCode.OTP_DELIVERY_FAILED,
      ErrorCode.TOO_MANY_REQUESTS,
    ],
  })
  test(
    @CurrentTenant() tenant: ResolvedTenant,
    @UuidParam('id') id: string,
    @Body() dto: ChannelTestDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.tester.test(tenant, id, dto, meta);
  }
}
