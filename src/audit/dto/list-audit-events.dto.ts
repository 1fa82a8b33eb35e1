import { ApiProperty } from '@nestjs/swagger';
import { IsDateString, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/http/page-query.dto';
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

class AuditActorDto {
  @ApiProperty({ enum: ['user', 'platform'] }) type!: 'user' | 'platform';
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) id!: string | null;
}

export class AuditEventResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: AuditEventType }) type!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'the user the event is about',
  })
  userId!: string | null;
  @ApiProperty({ type: AuditActorDto, description: 'who acted' }) actor!: AuditActorDto;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'per type: see the operation',
  })
  data!: Record<string, unknown>;
}

export class AuditEventPageResponseDto {
  @ApiProperty({ type: [AuditEventResponseDto] }) items!: AuditEventResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
