import { ApiError } from './api.js';
import { formatSeconds } from './dom.js';

/**
 * What a person is told for each error code of API.md: generic on purpose (the service never
 * says which of tenant, username or password was wrong; the audit log holds the exact reason).
 */
export function messageFor(err: unknown, stage: 'password' | 'code' | 'admin' = 'code'): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  const wait = err.retryAfter !== null ? formatSeconds(err.retryAfter) : null;
  switch (err.code) {
    case 'INVALID_CREDENTIALS':
      return 'The tenant, username or password is not right.';
    case 'OTP_INVALID':
      return 'That code is not valid. Check it, or ask for a new one.';
    case 'OTP_EXPIRED':
      return 'That code has expired. Ask for a new one.';
    case 'OTP_ATTEMPTS_EXCEEDED':
      return 'Too many wrong codes. Ask for a new code, or sign in again.';
    case 'OTP_RESEND_COOLDOWN':
      return wait
        ? `Please wait ${wait} before asking for a new code.`
        : 'Please wait before asking for a new code.';
    case 'OTP_RESEND_LIMIT':
      return 'No more codes can be sent for this sign-in. Please sign in again.';
    case 'OTP_DELIVERY_FAILED':
      return 'We could not send the code. Please try again in a moment.';
    case 'TWO_FACTOR_LOCKED':
      return wait
        ? `Too many wrong codes: the code step is locked. Try again in ${wait}.`
        : 'Too many wrong codes: the code step is locked for now.';
    case 'TOO_MANY_REQUESTS':
      return wait
        ? `Too many attempts. Try again in ${wait}.`
        : 'Too many attempts. Try again later.';
    case 'SERVICE_UNAVAILABLE':
      return wait
        ? `The service is busy. Try again in ${wait}.`
        : 'The service is unavailable. Try again shortly.';
    case 'UNAUTHENTICATED':
      return stage === 'code'
        ? 'This sign-in has expired or ended. Please sign in again.'
        : 'Your session has ended. Please sign in again.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that.';
    case 'TWO_FACTOR_CHANNEL_REQUIRED':
      return 'Choose an enabled channel before turning two-factor sign-in on.';
    case 'VALIDATION_FAILED': {
      const d = err.body.details?.map((x) => `${x.field}: ${x.message}`).join('; ');
      return d ? `Please check the form (${d}).` : 'Please check the form.';
    }
    case 'CONFLICT':
    case 'NOT_FOUND':
      return err.body.message;
    case 'NETWORK':
      return 'The service cannot be reached. Check your connection.';
    default:
      return 'Something went wrong. Please try again.';
  }
}
