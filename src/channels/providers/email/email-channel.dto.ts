import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { EmailAddress, Optional, PlainText } from '../../../common/validation/field-decorators';

export const EMAIL_TLS_MODES = ['starttls', 'implicit', 'none'] as const;
export type EmailTls = (typeof EMAIL_TLS_MODES)[number];

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
/** `no-reply@acme.test` or `EFCX <no-reply@acme.test>`. */
const FROM = /^([^<>\r\n]{0,100}<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

export class EmailChannelConfigDto {
  /** SMTP host (CHANNEL_ALLOWED_HOSTS may restrict it). */
  @Matches(HOSTNAME, { message: 'host must be a host name or an IP address' })
  @IsString()
  host!: string;

  @Max(65535)
  @Min(1)
  @IsInt()
  port!: number;

  /**
   * `starttls` (default: the connection must be upgraded), `implicit` (TLS from the first byte,
   * port 465) or `none` (plain text; in production only for CHANNEL_PLAINTEXT_HOSTS).
   */
  @IsOptional()
  @IsIn(EMAIL_TLS_MODES)
  tls?: EmailTls;

  /** Deprecated: read as `tls: "implicit"` (true) or `"starttls"` (false). */
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @IsOptional()
  @PlainText(254)
  username?: string | null;

  /** Write-only: answered as `passwordSet`. `null` clears it; omitted in PATCH keeps it. */
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @MaxLength(1024)
  @IsString()
  password?: string | null;

  @Matches(NO_CONTROL_CHARS, { message: 'from must not contain control characters' })
  @Matches(FROM, { message: 'from must be an address, or "Name <address>"' })
  @MaxLength(320)
  @IsString()
  from!: string;
}

/** `{ "destination": "…" }`, or `{ "email": "…" }`: the same. */
export class EmailRegistrationDto {
  @ApiPropertyOptional({ format: 'email', description: 'the address to confirm (or `email`)' })
  @Optional()
  @EmailAddress('destination must be an email address')
  destination?: string;

  @ApiPropertyOptional({ format: 'email', description: 'the same as `destination`' })
  @Optional()
  @EmailAddress('email must be an email address')
  email?: string;
}

export class EmailTestDto {
  @EmailAddress('to must be an email address')
  to!: string;
}
