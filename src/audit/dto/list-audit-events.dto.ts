import { IsDateString, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { AuditEventType } from '../audit-event-type';

export class ListAuditEventsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEnum(AuditEventType)
  type?: AuditEventType;

  /** Only events about this user. */
  @IsOptional()
  @IsUUID()
  userId?: string;

  /** Events created at or after this time (ISO-8601). */
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  /** Events created before this time (ISO-8601). */
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

export interface AuditEventView {
  id: string;
  type: string;
  userId: string | null;
  actor: { type: 'user' | 'platform'; id: string | null };
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}
