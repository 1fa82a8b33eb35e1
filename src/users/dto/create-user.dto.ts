import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Optional, Role, Username } from '../../common/validation/field-decorators';

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
  @Role()
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
  /** null clears it. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string | null;

  @Optional()
  @IsArray()
  @ArrayMaxSize(32)
  @Role()
  roles?: string[];

  @Optional()
  @IsString()
  @MaxLength(256)
  password?: string;

  @Optional()
  @IsBoolean()
  disabled?: boolean;

  /** Contact address; null clears it. Never moves 2FA codes. */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;
}
