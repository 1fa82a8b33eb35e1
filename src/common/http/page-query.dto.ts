import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** `limit` and an opaque `cursor`. (Rules run bottom-up: the type check first.) */
export class PageQueryDto {
  /** Items per page (1-200, default 50). */
  @IsOptional()
  @Max(200)
  @Min(1)
  @IsInt()
  @Type(() => Number)
  limit?: number;

  /** The `nextCursor` of the previous page. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not valid' })
  @MaxLength(512)
  @IsString()
  cursor?: string;
}
