import { ApiProperty } from '@nestjs/swagger';

/** A browser the user signed in from (API.md v1.1 §7); never its token. */
export class DeviceResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'the browser summarised, e.g. "Chrome 131 on Windows"' })
  name!: string;
  @ApiProperty({
    description:
      'a login with this device skips the second factor now (not expired or revoked, password and 2FA unchanged since, user enabled, tenant setting on)',
  })
  remembered!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastUsedAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'when it stops being remembered; null when not remembered',
  })
  expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the address of its last sign-in' })
  lastIp!: string | null;
}

export class DeviceListResponseDto {
  @ApiProperty({ type: [DeviceResponseDto], description: 'live devices, most recently used first' })
  items!: DeviceResponseDto[];
}
