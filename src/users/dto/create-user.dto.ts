import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Username } from '../../common/validation/field-decorators';

export const ROLE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class CreateUserDto {
  /** 1-64 characters, no control characters; unique per tenant, case-insensitively. */
  @Username()
  username!: string;

  /** PASSWORD_MIN_LENGTH (default 12) to 256 characters. */
  @IsString()
  @MaxLength(256)
  password!: string;

  /** Free strings (agent, supervisor, …); `admin` grants the admin endpoints. */
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @Matches(ROLE_PATTERN, {
    each: true,
    message: 'each role must match ^[a-z0-9][a-z0-9._-]{0,63}$',
  })
  roles!: string[];

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;

  /** Contact address; it never registers the user for 2FA. */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class UpdateUserDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @Matches(ROLE_PATTERN, {
    each: true,
    message: 'each role must match ^[a-z0-9][a-z0-9._-]{0,63}$',
  })
  roles?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;
}
