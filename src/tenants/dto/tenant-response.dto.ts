import { ApiProperty } from '@nestjs/swagger';
import type { Tenant, TenantStatus } from '../entities/tenant.entity';

export class TenantResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: TenantStatus;
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
    createdAt: t.createdAt.toISOString(),
  };
}
