import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { Optional } from '../../common/validation/field-decorators';

export class VerifyCodeDto {
  /**
   * The code, as a JSON string of 1-16 characters; anything but the exact digits counts as wrong.
   * Exactly one of `code` and `recoveryCode`.
   */
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 16,
    description: 'the code; exactly one of `code` and `recoveryCode`',
  })
  @ValidateIf((o: VerifyCodeDto) => o.recoveryCode === undefined || o.code !== undefined)
  @MaxLength(16)
  @MinLength(1)
  @IsString()
  code?: string;

  /** A recovery code (`xxxx-xxxx-xxxx`; case, spaces and dashes ignored) instead of `code`. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 32, description: 'a recovery code instead' })
  @Optional()
  @ValidateBy({
    name: 'notWithCode',
    validator: {
      validate: (_value: unknown, args) => (args?.object as VerifyCodeDto).code === undefined,
      defaultMessage: () => 'send either code or recoveryCode, not both',
    },
  })
  @MaxLength(32)
  @MinLength(1)
  @IsString()
  recoveryCode?: string;

  /**
   * Remember this browser (v1.1 §7): when the tenant's `rememberDevice.enabled` is on, later logins
   * that send this sign-in's `deviceToken` skip the second factor for `rememberDevice.days`
   * (acr `2fa-remembered`); ignored when it is off. The device is the one whose `deviceToken` the
   * login body carried (kept with the sign-in), else a new one: the answer's `deviceToken`.
   */
  @Optional()
  @IsBoolean()
  rememberDevice?: boolean;
}

/** The factor to prove before adding another (API.md v1.1 §4). */
export class ProofAnswer {
  @ApiProperty({
    description:
      'the type to prove: a code channel (a code was sent to the registered address), an app, or `recovery_code`',
  })
  channel!: string;
  @ApiPropertyOptional({ description: 'code channels: masked' }) destination?: string;
  @ApiPropertyOptional({ enum: ['SENT', 'ALREADY_SENT', 'COOLDOWN', 'FAILED'] }) delivery?: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) resendAvailableAt?: string;
  @ApiPropertyOptional() resendsRemaining?: number;
}

export class RegistrationRequiredResponse {
  @ApiProperty({ enum: ['TWO_FACTOR_REGISTRATION_REQUIRED'] })
  status!: 'TWO_FACTOR_REGISTRATION_REQUIRED';
  @ApiProperty({ description: 'JWT, header typ mfa+jwt; only for /v1/auth/2fa/*' })
  mfaToken!: string;
  @ApiProperty({ description: 'the active channel type' }) channel!: string;
  @ApiProperty({ description: 'seconds the mfa token lives' }) expiresIn!: number;
  @ApiPropertyOptional({
    type: ProofAnswer,
    description:
      'the user has another factor: prove it with verify before register (403 TWO_FACTOR_PROOF_REQUIRED)',
  })
  proof?: ProofAnswer;
}

/** verify of the proof: the mfa token stays good for register. */
export class ProvenResponse {
  @ApiProperty({ enum: ['TWO_FACTOR_REGISTRATION_REQUIRED'] })
  status!: 'TWO_FACTOR_REGISTRATION_REQUIRED';
  @ApiProperty({ description: 'the active channel type, to register now' }) channel!: string;
  @ApiProperty({ enum: [true] }) proven!: true;
}

export class CodeStatusResponse {
  @ApiProperty({ description: 'masked' }) destination!: string;
  @ApiProperty({ enum: ['SENT', 'ALREADY_SENT', 'COOLDOWN', 'FAILED'] })
  delivery!: 'SENT' | 'ALREADY_SENT' | 'COOLDOWN' | 'FAILED';
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'the live code expires (SENT, ALREADY_SENT)',
  })
  expiresAt?: string;
  @ApiProperty({ format: 'date-time' }) resendAvailableAt!: string;
  @ApiProperty() resendsRemaining!: number;
}

export class TwoFactorRequiredResponse {
  @ApiProperty({ enum: ['TWO_FACTOR_REQUIRED'] }) status!: 'TWO_FACTOR_REQUIRED';
  @ApiPropertyOptional({ description: 'login only' }) mfaToken?: string;
  @ApiProperty() channel!: string;
  @ApiPropertyOptional({ description: 'code channels: masked' }) destination?: string;
  @ApiPropertyOptional({ enum: ['SENT', 'ALREADY_SENT', 'COOLDOWN', 'FAILED'] }) delivery?: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) resendAvailableAt?: string;
  @ApiPropertyOptional() resendsRemaining?: number;
  @ApiPropertyOptional({ description: 'login only: seconds the mfa token lives' })
  expiresIn?: number;
  @ApiPropertyOptional({ description: 'authenticator registration: base32, for manual entry' })
  secret?: string;
  @ApiPropertyOptional({ description: 'authenticator registration: otpauth://totp/…' })
  otpauthUri?: string;
  @ApiPropertyOptional({ description: 'authenticator registration: data:image/png;base64,…' })
  qrCodeDataUrl?: string;
}

/** Login's TWO_FACTOR_REQUIRED: the mfa token and its life are always there. */
export class LoginTwoFactorRequiredResponse extends TwoFactorRequiredResponse {
  // `required: true` spelled out: the optional metadata of the parent's property is merged in.
  @ApiProperty({ required: true }) declare mfaToken: string;
  @ApiProperty({ required: true, description: 'seconds the mfa token lives' })
  declare expiresIn: number;
}

/** The authenticator's register body: nothing (the service makes the secret). */
export class AuthenticatorRegistrationBody {}

/** `POST /v1/auth/me/2fa/confirm` (API.md v1.1 §8). */
export class ConfirmCodeDto {
  /** The code of the pending registration, a JSON string of 1-16 characters (else 400). */
  @MaxLength(16)
  @MinLength(1)
  @IsString()
  code!: string;
}
