import {
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { MfaStage } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors.decorator';
import { CODE_JUDGING_ERRORS, CODE_SENDING_ERRORS } from './error-sets';
import { Meta, RequestMeta } from '../common/http/request-context';
import { EmptyBodyPipe } from '../common/validation/validation';
import { AuthenticatedResponse } from './dto/login.dto';
import {
  CodeStatusResponse,
  ProvenResponse,
  TwoFactorRequiredResponse,
  VerifyCodeDto,
} from './dto/two-factor.dto';
import { MfaSubjectRateGuard } from './guards/mfa-subject-rate.guard';
import { MfaAuthenticated } from './strategies/mfa-token.strategy';
import { signInOf } from './sign-in';
import { SignInCodes } from './sign-in-codes.service';
import { SignInRegistration } from './sign-in-registration.service';
import { ApiRegistrationBody } from './dto/registration-body.decorator';
import { TwoFactorVerifier } from './two-factor-verifier.service';

/** The sign-in the mfa token names (set by the mfa strategy). */
const SignInOf = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) =>
    ctx.switchToHttp().getRequest<{ user: MfaAuthenticated }>().user,
);

@ApiTags('auth: second factor')
@Controller('v1/auth/2fa')
@MfaStage()
@UseGuards(MfaSubjectRateGuard)
export class TwoFactorController {
  constructor(
    private readonly registration: SignInRegistration,
    private readonly codes: SignInCodes,
    private readonly verifier: TwoFactorVerifier,
  ) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Register during login: email `{ "destination" }` (or `{ "email" }`) gets a code',
    description:
      "The body is the active channel type's registration body. A second register in one sign-in counts as a resend.",
  })
  @ApiRegistrationBody()
  @ApiOkResponse({ type: TwoFactorRequiredResponse })
  @ApiErrors(...BODY_ERRORS, ...CODE_SENDING_ERRORS, ErrorCode.TWO_FACTOR_PROOF_REQUIRED)
  register(@SignInOf() signIn: MfaAuthenticated, @Body() body: object, @Meta() meta: RequestMeta) {
    return this.registration.register(signInOf(signIn), body, meta);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The code: an access token with amr ["pwd","otp"]; spends the mfa token',
    description:
      'While a proof is pending (the login answer had `proof`), the code is that of the factor the user already has: the answer is `proven: true` and the mfa token stays good for register. ' +
      'Instead of `code`, `recoveryCode` (one of the 10 single-use codes; case, spaces and dashes ignored; both or neither: 400) signs in, also while the account is locked, or serves as the proof; it is used up. ' +
      'The mfa token of a locked login (429 with `recoveryCodeAllowed: true`) takes only `recoveryCode`: a `code` answers 429 TWO_FACTOR_LOCKED. ' +
      "The answer carries `deviceToken` (the login's, when it named a live device of the user; else a new one); `rememberDevice: true` remembers that device for the tenant's `rememberDevice.days` when the tenant allows it (DEVICE_REMEMBERED), and is ignored otherwise.",
  })
  @ApiExtraModels(AuthenticatedResponse, ProvenResponse)
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(AuthenticatedResponse) },
        { $ref: getSchemaPath(ProvenResponse) },
      ],
    },
  })
  @ApiErrors(...BODY_ERRORS, ...CODE_JUDGING_ERRORS, ErrorCode.TOO_MANY_REQUESTS)
  verify(
    @SignInOf() signIn: MfaAuthenticated,
    @Body() dto: VerifyCodeDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.verifier.verify(signIn, dto, meta);
  }

  @Post('resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new code to the same address (cooldown, cap per sign-in)' })
  @ApiBody({ schema: { type: 'object', example: {} } })
  @ApiOkResponse({ type: CodeStatusResponse })
  @ApiErrors(...BODY_ERRORS, ...CODE_SENDING_ERRORS)
  resend(
    @SignInOf() signIn: MfaAuthenticated,
    @Body(EmptyBodyPipe) _body: object,
    @Meta() meta: RequestMeta,
  ) {
    return this.codes.resend(signInOf(signIn), meta);
  }
}
