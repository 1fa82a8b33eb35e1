import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { PlainText } from '../../../common/validation/field-decorators';

export class AuthenticatorChannelConfigDto {
  /** Shown in the app next to the code (and in the otpauth URI, whose label it begins: no `:`). */
  @Matches(/^[^:]*$/, { message: 'issuer must not contain ":"' })
  @PlainText(100)
  issuer!: string;

  @IsIn([6, 8])
  digits!: number;

  @IsIn([30, 60])
  periodSeconds!: number;

  @IsIn(['SHA1', 'SHA256', 'SHA512'])
  algorithm!: string;

  /** `n` accepts the steps t−n … t+n. */
  @Max(2)
  @Min(0)
  @IsInt()
  window!: number;
}
