import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { LoginTwoFactorRequiredResponse, RegistrationRequiredResponse } from './dto/two-factor.dto';
import { AccessToken, Public } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors.decorator';
import { RECENT_SECOND_FACTOR_ERRORS } from './error-sets';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentUser, Meta, RequestMeta, UserPrincipal } from '../common/http/request-context';
import { AuthService } from './auth.service';
import type { PasswordIdentity } from './password-identity';
import {
  AuthenticatedResponse,
  LoginDto,
  MeResponse,
  RecoveryCodesResponse,
  RefreshDto,
} from './dto/login.dto';
import { MeRecoveryCodes } from './me-recovery-codes.service';
import { RecentSecondFactor } from './guards/recent-second-factor.guard';
import { SessionTokensService } from './session-tokens.service';
import { EmptyBodyPipe } from '../common/validation/validation';
import { LoginGuard } from './guards/passport-guards';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The identity the local strategy put on the request. */
const PasswordChecked = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) =>
    ctx.switchToHttp().getRequest<{ user: PasswordIdentity }>().user,
);

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessionTokens: SessionTokensService,
    private readonly meRecoveryCodes: MeRecoveryCodes,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(LoginGuard)
  @ApiOperation({
    summary: 'Sign in with tenant, username and password',
    description:
      'Send the `deviceToken` of this browser\'s last AUTHENTICATED answer: a remembered device (API.md v1.1 §7) answers AUTHENTICATED at once (amr ["pwd"], acr "2fa-remembered"), and a live device of the account is exempt from the per-account failure limit (§9). Unknown, revoked or foreign tokens are ignored. Every AUTHENTICATED answer carries a `deviceToken`.',
  })
  @ApiOkResponse({
    description: 'AUTHENTICATED (2FA off), TWO_FACTOR_REGISTRATION_REQUIRED or TWO_FACTOR_REQUIRED',
    schema: {
      oneOf: [
        AuthenticatedResponse,
        RegistrationRequiredResponse,
        LoginTwoFactorRequiredResponse,
      ].map((t) => ({
        $ref: getSchemaPath(t),
      })),
    },
  })
  @ApiExtraModels(
    AuthenticatedResponse,
    RegistrationRequiredResponse,
    LoginTwoFactorRequiredResponse,
  )
  @ApiErrors(
    ...BODY_ERRORS,
    ErrorCode.INVALID_CREDENTIALS,
    ErrorCode.TWO_FACTOR_LOCKED,
    ErrorCode.SERVICE_UNAVAILABLE,
    ErrorCode.TOO_MANY_REQUESTS,
  )
  login(
    @Body() dto: LoginDto,
    @PasswordChecked() identity: PasswordIdentity,
    @Meta() meta: RequestMeta,
  ) {
    return this.auth.completeLogin(identity, meta, dto.deviceToken ?? null);
  }

  @Get('me')
  @AccessToken()
  @ApiRoute({ summary: 'The signed-in user', ok: MeResponse })
  me(@CurrentUser() principal: UserPrincipal) {
    return this.auth.me(principal.tenantId, principal.tenantSlug, principal.userId);
  }

  @Post('me/recovery-codes')
  @HttpCode(201)
  @AccessToken()
  @ApiOperation({
    summary: 'A new set of 10 recovery codes, shown once; the old set is void',
    description:
      'Needs an access token with acr "2fa" whose auth_time is at most REAUTH_SECONDS old (else 401 REAUTHENTICATION_REQUIRED: sign in again with the second factor).',
  })
  @ApiBody({ required: false, schema: { type: 'object', example: {} } })
  @ApiCreatedResponse({ type: RecoveryCodesResponse })
  @RecentSecondFactor()
  @ApiErrors(...RECENT_SECOND_FACTOR_ERRORS)
  recoveryCodes(@CurrentUser() principal: UserPrincipal, @Body(EmptyBodyPipe) _body: object) {
    return this.meRecoveryCodes.regenerate(principal);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @ApiRoute({
    summary: 'A new access token and refresh token for a refresh token (rotation)',
    description:
      'Each refresh token works once. Presenting one a second time (or two requests racing with one token) ends the whole session, the newest token included: a client with several tabs must refresh from one place. Sessions end SESSION_IDLE_TIMEOUT_SECONDS after the last refresh and SESSION_MAX_AGE_SECONDS after sign-in.',
    ok: AuthenticatedResponse,
    errors: [...BODY_ERRORS, ErrorCode.UNAUTHENTICATED, ErrorCode.TOO_MANY_REQUESTS],
  })
  refresh(@Body() dto: RefreshDto, @Meta() meta: RequestMeta) {
    return this.sessionTokens.refresh(dto.refreshToken, meta);
  }

  @Post('logout')
  @HttpCode(204)
  @AccessToken()
  @ApiOperation({
    summary: "End the caller's session: its refresh token and access tokens stop working here",
  })
  @ApiBody({ required: false, schema: { type: 'object', example: {} } })
  @ApiNoContentResponse()
  async logout(
    @CurrentUser() principal: UserPrincipal,
    @Body(EmptyBodyPipe) _body: object,
    @Meta() meta: RequestMeta,
  ) {
    await this.sessionTokens.logout(principal.tenantId, principal.userId, principal.sid, meta);
  }
}
