import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/page-query.dto';

export class ListUsersQueryDto extends PageQueryDto {
  /** Case-insensitive username prefix. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;

  /** Only users whose 2FA address another user of the tenant also has. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  sharedEmail?: boolean;
}
