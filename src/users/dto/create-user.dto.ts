import { ArrayMaxSize, IsArray, IsBoolean, IsOptional } from 'class-validator';
import { Locale } from '../../common/validation/locale';
import {
  EmailAddress,
  Optional,
  PasswordInput,
  PlainText,
  Role,
  Username,
} from '../../common/validation/field-decorators';

export class CreateUserDto {
  /** 1-64 characters, no control characters; unique per tenant, case-insensitively. */
  @Username()
  username!: string;

  /** PASSWORD_MIN_LENGTH (default 12) to 256 characters. */
  @PasswordInput()
  password!: string;

  /** Free strings (agent, supervisor, …); `admin` grants the admin endpoints. */
  @IsArray()
  @ArrayMaxSize(32)
  @Role()
  roles!: string[];

  @IsOptional()
  @PlainText(200)
  displayName?: string;

  /** Contact address; it never registers the user for 2FA. */
  @IsOptional()
  @EmailAddress()
  email?: string;

  /** BCP 47 (`de`, `pt-BR`): the language of the user's mails; absent: the tenant's default. */
  @IsOptional()
  @Locale()
  locale?: string;
}

export class UpdateUserDto {
  /** null clears it. */
  @IsOptional()
  @PlainText(200)
  displayName?: string | null;

  @Optional()
  @IsArray()
  @ArrayMaxSize(32)
  @Role()
  roles?: string[];

  /** PASSWORD_MIN_LENGTH (default 12) to 256 characters; ends the user's earlier tokens. */
  @Optional()
  @PasswordInput()
  password?: string;

  @Optional()
  @IsBoolean()
  disabled?: boolean;

  /** Contact address; null clears it. Never moves 2FA codes. */
  @IsOptional()
  @EmailAddress()
  email?: string | null;

  /** BCP 47, canonical case (`pt-br` is stored as `pt-BR`); null: the tenant's default. */
  @IsOptional()
  @Locale()
  locale?: string | null;
}
