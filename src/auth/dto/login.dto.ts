import { IsString, MaxLength, MinLength } from 'class-validator';
import { Username } from '../../common/validation/field-decorators';

export class LoginDto {
  /** The tenant slug. */
  @IsString()
  @MinLength(1)
  @MaxLength(63)
  tenant!: string;

  @Username()
  username!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export interface AuthenticatedResponse {
  status: 'AUTHENTICATED';
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}
