import { ErrorCode, ERROR_MESSAGES, ERROR_STATUS } from './error-code';

export interface FieldError {
  field: string;
  message: string;
}

export interface AppExceptionOptions {
  message?: string;
  details?: FieldError[];
  /** Extra top-level body fields the contract names (e.g. retryAfterSeconds). */
  extra?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/** The one exception type of the service: a stable code, a generic message, optional details. */
export class AppException extends Error {
  readonly status: number;
  readonly details?: FieldError[];
  readonly extra?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    options: AppExceptionOptions = {},
  ) {
    super(options.message ?? ERROR_MESSAGES[code]);
    this.name = 'AppException';
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.extra = options.extra;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static validation(details: FieldError[], message?: string): AppException {
    return new AppException(ErrorCode.VALIDATION_FAILED, { details, message });
  }

  static notFound(what = 'Not found.'): AppException {
    return new AppException(ErrorCode.NOT_FOUND, { message: what });
  }

  static conflict(message: string): AppException {
    return new AppException(ErrorCode.CONFLICT, { message });
  }
}
