import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessToken } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CODE_JUDGING_ERRORS, RECENT_SECOND_FACTOR_ERRORS } from './error-sets';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentUser, Meta, RequestMeta, UserPrincipal } from '../common/http/request-context';
import { MeTwoFactorResponse } from './dto/login.dto';
import { ConfirmCodeDto, TwoFactorRequiredResponse } from './dto/two-factor.dto';
import { ApiRegistrationBody } from './dto/registration-body.decorator';
import { RecentSecondFactor } from './guards/recent-second-factor.guard';
import { MeTwoFactor } from './me-two-factor.service';

const REAUTH =
  'Needs an access token with acr "2fa" whose auth_time is at most REAUTH_SECONDS old (else 401 REAUTHENTICATION_REQUIRED: sign in again with the second factor).';

/** Self-service 2FA (API.md v1.1 §8): a signed-in user replaces their second factor. */
@ApiTags('auth')
@Controller('v1/auth/me/2fa')
@AccessToken()
@RecentSecondFactor()
export class MeTwoFactorController {
  constructor(private readonly meTwoFactor: MeTwoFactor) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new factor of the active channel type, pending until confirmed',
    description:
      `${REAUTH} The body is the active channel type's registration body, as at login: email \`{ destination }\` gets a code (OTP rules: cooldown, attempts, expiry), authenticator \`{}\` gets a new secret and QR. ` +
      'The current factor stays in force until confirm succeeds. A second register replaces the pending one. The pending registration belongs to the calling session.',
  })
  @ApiRegistrationBody()
  @ApiOkResponse({ type: TwoFactorRequiredResponse })
  @ApiErrors(
    ...RECENT_SECOND_FACTOR_ERRORS,
    ErrorCode.CONFLICT,
    ErrorCode.OTP_RESEND_COOLDOWN,
    ErrorCode.TWO_FACTOR_LOCKED,
    ErrorCode.OTP_DELIVERY_FAILED,
  )
  register(
    @CurrentUser() principal: UserPrincipal,
    @Body() body: object,
    @Meta() meta: RequestMeta,
  ) {
    return this.meTwoFactor.register(principal, body, meta);
  }

  @Post('confirm')
  @HttpCode(200)
  @ApiRoute({
    summary: 'The code of the pending registration: it replaces the factor of its type',
    description:
      `${REAUTH} On success, in one transaction: the new registration replaces the old one, remembered devices are revoked and the user's other sessions end. ` +
      'The calling session stays; its access tokens carry the old 2FA version, so refresh it for a new one. No pending registration (none, replaced, or begun before a password or 2FA change): 409 CONFLICT.',
    ok: MeTwoFactorResponse,
    errors: [...RECENT_SECOND_FACTOR_ERRORS, ErrorCode.CONFLICT, ...CODE_JUDGING_ERRORS],
  })
  confirm(
    @CurrentUser() principal: UserPrincipal,
    @Body() dto: ConfirmCodeDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.meTwoFactor.confirm(principal, dto.code, meta);
  }
}
