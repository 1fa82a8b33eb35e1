import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MinLength } from 'class-validator';
import {
  Optional,
  PasswordInput,
  PlainText,
  Username,
} from '../../common/validation/field-decorators';

export class LoginDto {
  /** The tenant slug. */
  @ApiProperty({ description: 'the tenant slug', maxLength: 63 })
  @PlainText(63)
  tenant!: string;

  // Explicit: the swagger plugin runs only in `nest build`, and the tests' document must match.
  @ApiProperty()
  @Username()
  username!: string;

  @ApiProperty({ minLength: 1, maxLength: 1024 })
  @PasswordInput()
  @MinLength(1)
  password!: string;

  /**
   * The `deviceToken` of this browser's last AUTHENTICATED answer (v1.1 §7): a remembered device
   * skips the second factor, any live one is kept and exempts the login from the per-account
   * failure limit (§9). Unknown, revoked or foreign tokens are ignored.
   */
  @Optional()
  @PlainText(128)
  deviceToken?: string;
}

export class AuthenticatedResponse {
  @ApiProperty({ enum: ['AUTHENTICATED'] }) status!: 'AUTHENTICATED';
  @ApiProperty({ description: 'JWT, header typ at+jwt; verify with /.well-known/jwks.json' })
  accessToken!: string;
  @ApiProperty({
    description:
      'Opaque, single use: POST /v1/auth/refresh exchanges it for a new pair. Presenting it a second time ends the session.',
  })
  refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds' }) expiresIn!: number;
  @ApiPropertyOptional({
    description:
      "Every sign-in answer (login, verify; not refresh): this browser's device (v1.1 §7), opaque. Keep it (e.g. localStorage) and send it in every login body: the one sent at login is kept, otherwise a new one is made.",
  })
  deviceToken?: string;
  @ApiPropertyOptional({
    type: [String],
    description:
      'the verify that confirmed the first registration, recovery codes on: 10 single-use codes `xxxx-xxxx-xxxx`, shown only here',
  })
  recoveryCodes?: string[];
}

export class MeTwoFactorDto {
  @ApiProperty() registered!: boolean;
  @ApiProperty({ type: String, nullable: true }) channelType!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'masked' }) destination!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) registeredAt!: string | null;
  @ApiProperty({ description: 'unused recovery codes' }) recoveryCodesRemaining!: number;
}

/** A new set of recovery codes (API.md v1.1 §6), shown once. */
export class RecoveryCodesResponse {
  @ApiProperty({ type: [String], description: '10 single-use codes `xxxx-xxxx-xxxx`' })
  codes!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ description: 'tenant slug' }) tenant!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ type: MeTwoFactorDto }) twoFactor!: MeTwoFactorDto;
}

export class RefreshDto {
  /** The refresh token of the last AUTHENTICATED answer. */
  @ApiProperty({ description: 'the refresh token of the last AUTHENTICATED answer' })
  @PlainText(2048)
  refreshToken!: string;
}

/** The answer of `POST /v1/auth/me/2fa/confirm`: the user's 2FA as `GET /v1/auth/me` shows it. */
export class MeTwoFactorResponse {
  @ApiProperty({ type: MeTwoFactorDto }) twoFactor!: MeTwoFactorDto;
}
