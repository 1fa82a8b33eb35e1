import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { Locale } from '../../common/validation/locale';
import {
  EmailAddress,
  Optional,
  PasswordInput,
  PlainText,
  TenantSlug,
  Username,
} from '../../common/validation/field-decorators';
import type { TenantStatus } from '../entities/tenant.entity';

export class FirstAdminDto {
  @Username()
  username!: string;

  /** PASSWORD_MIN_LENGTH (default 12) to 256 characters. */
  @PasswordInput()
  password!: string;

  @IsOptional()
  @EmailAddress()
  email?: string;

  @IsOptional()
  @PlainText(200)
  displayName?: string;
}

export class CreateTenantDto {
  /** `^[a-z0-9][a-z0-9-]{1,62}$`, unique. */
  @TenantSlug()
  slug!: string;

  @PlainText(200)
  name!: string;

  /** The tenant's first user, with role `admin`. */
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => FirstAdminDto)
  admin!: FirstAdminDto;

  /** BCP 47 (default `en`): the language of mails to users who have no locale. */
  @Optional()
  @Locale()
  defaultLocale?: string;
}

export class UpdateTenantDto {
  @Optional()
  @PlainText(200)
  name?: string;

  /** A disabled tenant's users get INVALID_CREDENTIALS at login and their tokens stop working. */
  @Optional()
  @IsIn(['active', 'disabled'])
  status?: TenantStatus;

  /** BCP 47: the language of mails to users who have no locale (API.md v1.1 §11). */
  @Optional()
  @Locale()
  defaultLocale?: string;
}
