import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Optional, PlainText } from '../../common/validation/field-decorators';

export class CreateChannelDto {
  /** A registered provider type: `email`, `authenticator`, … */
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'type is not a channel type' })
  @IsString()
  type!: string;

  @PlainText(200)
  name!: string;

  /** Default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /**
   * The provider's settings; secret fields (email: `password`) are write-only. Email:
   * `{ host, port, tls?: "starttls" | "implicit" | "none", username?, password?, from }`.
   */
  @IsObject()
  config!: Record<string, unknown>;
}

export class UpdateChannelDto {
  @Optional()
  @PlainText(200)
  name?: string;

  /** The active channel cannot be disabled (409). */
  @Optional()
  @IsBoolean()
  enabled?: boolean;

  /**
   * Merged key by key: an omitted key keeps its value, `null` clears it. Changing an email
   * channel's host, port, username or tls needs `password` again when one is stored.
   */
  @Optional()
  @IsObject()
  config?: Record<string, unknown>;
}

export class ChannelTestDto {
  /** Where the test message goes (email: an address). */
  @MaxLength(254)
  @IsString()
  to!: string;
}

export class ChannelResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'the channel the 2FA settings name' }) active!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'secret fields replaced by `<field>Set: true|false` (email: passwordSet); email `tls`: ' +
      'starttls (default) | implicit | none',
  })
  config!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ChannelListResponseDto {
  @ApiProperty({ type: [ChannelResponseDto] }) items!: ChannelResponseDto[];
}

export class ChannelTestResponseDto {
  @ApiProperty({ enum: [true] }) ok!: true;
}
