import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TenantAdmin } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, ResolvedTenant } from '../common/http/request-context';
import { AUDIT_DATA_DOC } from './audit-event-type';
import { AuditService } from './audit.service';
import { AuditEventPageResponseDto, ListAuditEventsQueryDto } from './dto/list-audit-events.dto';

@ApiTags('tenant admin: audit events')
@Controller('v1/tenants/:slug/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @TenantAdmin()
  @ApiRoute({
    summary: 'List audit events, newest first',
    description:
      '`data` per type:\n\n' +
      Object.entries(AUDIT_DATA_DOC)
        .map(([type, doc]) => `- \`${type}\`: ${doc}`)
        .join('\n'),
    ok: AuditEventPageResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  list(@CurrentTenant() tenant: ResolvedTenant, @Query() query: ListAuditEventsQueryDto) {
    return this.audit.list(tenant.id, query);
  }
}
