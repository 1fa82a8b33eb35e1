import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import { Optional, OptionalNested } from '../../common/validation/field-decorators';

export const OTP_DEFAULTS = {
  length: 6,
  ttlSeconds: 300,
  resendCooldownSeconds: 60,
  maxAttempts: 5,
  maxResendsPerLogin: 5,
} as const;

export const LOCKOUT_DEFAULTS = { maxConsecutiveFailures: 50, durationSeconds: 900 } as const;

export class OtpSettingsDto {
  /** Digits of a code: 6-10 (default 6). */
  @Optional() @Max(10) @Min(6) @IsInt() length?: number;
  /** 30-600 seconds (default 300): codes live at most ten minutes. */
  @Optional() @Max(600) @Min(30) @IsInt() ttlSeconds?: number;
  /** 0-3600 seconds (default 60) between codes sent to one user. */
  @Optional() @Max(3600) @Min(0) @IsInt() resendCooldownSeconds?: number;
  /** 1-20 (default 5) wrong codes kill a code. */
  @Optional() @Max(20) @Min(1) @IsInt() maxAttempts?: number;
  /** 0-20 (default 5) further codes per sign-in. */
  @Optional() @Max(20) @Min(0) @IsInt() maxResendsPerLogin?: number;
}

export class LockoutSettingsDto {
  /** 10-100 (default 50) wrong codes in a row lock the account's 2FA step. */
  @Optional() @Max(100) @Min(10) @IsInt() maxConsecutiveFailures?: number;
  /** 60-86400 seconds (default 900). */
  @Optional() @Max(86400) @Min(60) @IsInt() durationSeconds?: number;
}

export class RecoveryCodesSettingsDto {
  /** Recovery codes handed out at the first registration and accepted at verify (default true). */
  @Optional() @IsBoolean() enabled?: boolean;
}

export const REMEMBER_DEVICE_DEFAULTS = { enabled: false, days: 30 } as const;

export class RememberDeviceSettingsDto {
  /** A verify with `rememberDevice: true` skips the code at later logins of that browser (default false). */
  @Optional() @IsBoolean() enabled?: boolean;
  /** 1-90 days (default 30) a device stays remembered. */
  @Optional() @Max(90) @Min(1) @IsInt() days?: number;
}

export class PutTwoFactorSettingsDto {
  @IsBoolean()
  enabled!: boolean;

  /** Required (an enabled channel of this tenant) when enabled is true; may be null otherwise. */
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  channelId?: string | null;

  @OptionalNested(() => OtpSettingsDto)
  otp?: OtpSettingsDto;

  @OptionalNested(() => LockoutSettingsDto)
  lockout?: LockoutSettingsDto;

  @OptionalNested(() => RecoveryCodesSettingsDto)
  recoveryCodes?: RecoveryCodesSettingsDto;

  @OptionalNested(() => RememberDeviceSettingsDto)
  rememberDevice?: RememberDeviceSettingsDto;
}

class OtpSettingsView {
  @ApiProperty() length!: number;
  @ApiProperty() ttlSeconds!: number;
  @ApiProperty() resendCooldownSeconds!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty() maxResendsPerLogin!: number;
}

class RecoveryCodesSettingsView {
  @ApiProperty() enabled!: boolean;
}

class RememberDeviceSettingsView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ minimum: 1, maximum: 90 }) days!: number;
}

class LockoutSettingsView {
  @ApiProperty() maxConsecutiveFailures!: number;
  @ApiProperty() durationSeconds!: number;
}

export class TwoFactorSettingsResponseDto {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) channelId!: string | null;
  @ApiProperty({ type: String, nullable: true }) channelType!: string | null;
  @ApiProperty({ type: OtpSettingsView }) otp!: OtpSettingsView;
  @ApiProperty({ type: LockoutSettingsView }) lockout!: LockoutSettingsView;
  @ApiProperty({ type: RecoveryCodesSettingsView }) recoveryCodes!: RecoveryCodesSettingsView;
  @ApiProperty({ type: RememberDeviceSettingsView }) rememberDevice!: RememberDeviceSettingsView;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
