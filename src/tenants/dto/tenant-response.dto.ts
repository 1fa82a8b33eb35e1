import { ApiProperty } from '@nestjs/swagger';
import type { Tenant, TenantStatus } from '../entities/tenant.entity';

export class TenantResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: TenantStatus;
  @ApiProperty({ example: 'en', description: 'BCP 47: the locale of mails to users who have none' })
  defaultLocale!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TenantListResponseDto {
  @ApiProperty({ type: [TenantResponseDto] }) items!: TenantResponseDto[];
}

export function toTenantView(t: Tenant): TenantResponseDto {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    status: t.status,
    defaultLocale: t.defaultLocale,
    createdAt: t.createdAt.toISOString(),
  };
}
