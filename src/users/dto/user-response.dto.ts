import { ApiProperty } from '@nestjs/swagger';
import { User } from '../entities/user.entity';

export class OtherRegistrationDto {
  @ApiProperty() channelType!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
}

/** The registration for the tenant's active channel type, and the account's 2FA lock state. */
export class UserTwoFactorDto {
  @ApiProperty() registered!: boolean;
  @ApiProperty({ type: String, nullable: true }) channelType!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the full 2FA address (admins)' })
  destination!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) registeredAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lockedUntil!: string | null;
  @ApiProperty({
    description:
      'locked with no end (the ceiling of 100 failures) until an admin unlock or reset; lockedUntil is then null',
  })
  lockedIndefinitely!: boolean;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ description: 'unused recovery codes (v1.1 §6); never a code' })
  recoveryCodesRemaining!: number;
  @ApiProperty({ type: [OtherRegistrationDto], description: 'kept registrations of other types' })
  others!: OtherRegistrationDto[];
}

/** The user representation of API.md: never a password, hash or secret. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'contact address, not the 2FA address',
  })
  email!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "BCP 47: the language of the user's mails (null: the tenant's default)",
  })
  locale!: string | null;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ type: UserTwoFactorDto }) twoFactor!: UserTwoFactorDto;
  @ApiProperty({ description: 'another user of the tenant has the same 2FA address' })
  sharedEmail!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class UserPageResponseDto {
  @ApiProperty({ type: [UserResponseDto] }) items!: UserResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

export const NO_TWO_FACTOR: UserTwoFactorDto = {
  registered: false,
  channelType: null,
  destination: null,
  registeredAt: null,
  lockedUntil: null,
  lockedIndefinitely: false,
  consecutiveFailures: 0,
  recoveryCodesRemaining: 0,
  others: [],
};

export function toUserView(
  user: User,
  twoFactor: UserTwoFactorDto = NO_TWO_FACTOR,
  sharedEmail = false,
): UserResponseDto {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    email: user.email,
    locale: user.locale ?? null,
    disabled: user.disabled,
    twoFactor,
    sharedEmail,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
