import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Optional } from '../../common/validation/field-decorators';
import { TEMPLATE_KINDS, TemplateKind } from '../template-kinds';

/**
 * Generous bounds for the transport only (a body of megabytes is refused before it is parsed);
 * the 32 kB per part of API.md v1.1 §11 is checked in UTF-8 bytes with the template itself.
 */
const TRANSPORT_MAX = 64 * 1024;

export class PutEmailTemplateDto {
  @ApiProperty({ description: 'one line; {{variables}} allowed' })
  @IsString()
  @MaxLength(TRANSPORT_MAX)
  subject!: string;

  @ApiProperty({ description: 'the plain-text part' })
  @IsString()
  @MaxLength(TRANSPORT_MAX)
  text!: string;

  @ApiPropertyOptional({
    description: 'the HTML part (values are HTML-escaped); absent: the text in the standard layout',
    nullable: true,
  })
  @Optional()
  @IsString()
  @MaxLength(TRANSPORT_MAX)
  html?: string | null;
}

/** `{}` previews the template in force; with subject and text, an unsaved one. */
export class PreviewEmailTemplateDto {
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(TRANSPORT_MAX) subject?: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(TRANSPORT_MAX) text?: string;
  @ApiPropertyOptional({ nullable: true })
  @Optional()
  @IsString()
  @MaxLength(TRANSPORT_MAX)
  html?: string | null;
}

export class EmailTemplateItemDto {
  @ApiProperty({ enum: TEMPLATE_KINDS }) kind!: TemplateKind;
  @ApiProperty({ example: 'pt-BR' }) locale!: string;
  @ApiProperty({ description: "the tenant's own (true) or the built-in one" }) custom!: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) updatedAt!: string | null;
}

export class EmailTemplateListDto {
  @ApiProperty({ type: [EmailTemplateItemDto] }) items!: EmailTemplateItemDto[];
}

export class EmailTemplateResponseDto extends EmailTemplateItemDto {
  @ApiProperty() subject!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) html!: string | null;
}

export class RenderedEmailDto {
  @ApiProperty() subject!: string;
  @ApiProperty() text!: string;
  @ApiProperty() html!: string;
}
