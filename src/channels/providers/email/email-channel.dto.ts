import {
  IsBoolean,
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

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;
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

  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
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

  @Matches(FROM, { message: 'from must be an address, or "Name <address>"' })
  @MaxLength(320)
  @IsString()
  from!: string;
}

/** `{ "destination": "…" }`, or `{ "email": "…" }`: the same. */
export class EmailRegistrationDto {
  @Optional()
  @EmailAddress('destination must be an email address')
  destination?: string;

  @Optional()
  @EmailAddress('email must be an email address')
  email?: string;
}

export class EmailTestDto {
  @EmailAddress('to must be an email address')
  to!: string;
}
