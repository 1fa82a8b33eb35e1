import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';

/** What a route that sends a code at login (register, resend) may answer besides body errors. */
export const CODE_SENDING_ERRORS = [
  ErrorCode.CONFLICT,
  ErrorCode.OTP_RESEND_COOLDOWN,
  ErrorCode.OTP_RESEND_LIMIT,
  ErrorCode.TWO_FACTOR_LOCKED,
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.OTP_DELIVERY_FAILED,
];

/** The verdicts on a code that a client sees as errors. */
export const CODE_JUDGING_ERRORS = [
  ErrorCode.OTP_INVALID,
  ErrorCode.OTP_EXPIRED,
  ErrorCode.OTP_ATTEMPTS_EXCEEDED,
  ErrorCode.TWO_FACTOR_LOCKED,
];

/** A self-service route's body errors, and the token's: valid, with a recent second factor. */
export const RECENT_SECOND_FACTOR_ERRORS = [
  ...BODY_ERRORS,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.REAUTHENTICATION_REQUIRED,
];
