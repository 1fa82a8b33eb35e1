import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Optional, TenantSlug, Username } from '../../common/validation/field-decorators';
import type { Tenant, TenantStatus } from '../entities/tenant.entity';

export class FirstAdminDto {
  @Username()
  username!: string;

  /** PASSWORD_MIN_LENGTH (default 12) to 256 characters. */
  @IsString()
  @MaxLength(256)
  password!: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;
}

export class CreateTenantDto {
  /** `^[a-z0-9][a-z0-9-]{1,62}$`, unique. */
  @TenantSlug()
  slug!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** The tenant's first user, with role `admin`. */
  @IsDefined()
  @ValidateNested()
  @Type(() => FirstAdminDto)
  admin!: FirstAdminDto;
}

export class UpdateTenantDto {
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @Optional()
  @IsIn(['active', 'disabled'])
  status?: TenantStatus;
}

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  createdAt: string;
}

export function toTenantView(t: Tenant): TenantView {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
  };
}
