import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../database/database-failure';
import { AppException, FieldError } from './app.exception';
import { ErrorCode, ERROR_MESSAGES, ERROR_STATUS } from './error-code';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: FieldError[];
  [extra: string]: unknown;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the cause is unexpected and must be logged with its stack. */
  unexpected: boolean;
  /** True when a dependency failed (the database down): logged as a warning with its code. */
  dependencyFailure?: boolean;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_FAILED,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.VALIDATION_FAILED,
  FST_ERR_CTP_INVALID_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.VALIDATION_FAILED,
  FST_ERR_BAD_URL: ErrorCode.VALIDATION_FAILED,
  FST_ERR_MAX_PARAM_LENGTH: ErrorCode.VALIDATION_FAILED,
  FST_ERR_ASYNC_CONSTRAINT: ErrorCode.VALIDATION_FAILED,
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.TOO_MANY_REQUESTS,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

function build(
  code: ErrorCode,
  requestId: string,
  opts: {
    message?: string;
    details?: FieldError[];
    extra?: Record<string, unknown>;
    retryAfter?: number;
    unexpected?: boolean;
  } = {},
): ErrorResponse {
  const status = ERROR_STATUS[code];
  const body: ErrorBody = {
    ...(opts.extra ?? {}),
    statusCode: status,
    code,
    message: opts.message ?? ERROR_MESSAGES[code],
    requestId,
  };
  if (opts.details?.length) body.details = opts.details;
  const headers: Record<string, string> = {};
  if (opts.retryAfter !== undefined) headers['retry-after'] = String(Math.max(0, opts.retryAfter));
  return { status, body, headers, unexpected: opts.unexpected ?? false };
}

/** Maps anything thrown anywhere (Nest, Fastify, TypeORM, pg) to API.md's error shape. */
export function toErrorResponse(exception: unknown, requestId: string): ErrorResponse {
  if (exception instanceof AppException) {
    const retryAfter = exception.retryAfterSeconds;
    const extra = { ...(exception.extra ?? {}) };
    if (retryAfter !== undefined && extra.retryAfterSeconds === undefined)
      extra.retryAfterSeconds = retryAfter;
    if (exception.code === ErrorCode.SERVICE_UNAVAILABLE && retryAfter === undefined)
      return build(exception.code, requestId, { message: exception.message, retryAfter: 1 });
    return build(exception.code, requestId, {
      message: exception.message,
      details: exception.details,
      extra,
      retryAfter,
    });
  }
  if (exception instanceof ThrottlerException) {
    return build(ErrorCode.TOO_MANY_REQUESTS, requestId, { retryAfter: 60 });
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : undefined);
    if (code === ErrorCode.SERVICE_UNAVAILABLE) return build(code, requestId, { retryAfter: 1 });
    if (code === ErrorCode.VALIDATION_FAILED) {
      // Nest's own 400s (e.g. a body parser's SyntaxError): keep the message generic.
      return build(code, requestId, { message: 'The request body is not valid JSON.' });
    }
    if (code) return build(code, requestId, { unexpected: code === ErrorCode.INTERNAL_ERROR });
    return build(ErrorCode.VALIDATION_FAILED, requestId);
  }
  if (exception instanceof URIError) {
    return build(ErrorCode.VALIDATION_FAILED, requestId, {
      message: 'The request URL is not valid.',
    });
  }
  if (exception instanceof SyntaxError) {
    return build(ErrorCode.VALIDATION_FAILED, requestId, {
      message: 'The request body is not valid JSON.',
    });
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      ...build(ErrorCode.SERVICE_UNAVAILABLE, requestId, { retryAfter: 5 }),
      dependencyFailure: true,
    };
  }
  if (exception instanceof QueryFailedError) {
    const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
    // Unique, foreign-key and check violations: two requests raced over one state.
    if (pgCode === '23505' || pgCode === '23503' || pgCode === '23514')
      return build(ErrorCode.CONFLICT, requestId);
    // Bad text (22P02 invalid representation, 22001 too long, 22003 out of range,
    // 22021/22P05 NUL or untranslatable characters): the input, not the server.
    if (['22P02', '22001', '22003', '22021', '22P05'].includes(pgCode ?? ''))
      return build(ErrorCode.VALIDATION_FAILED, requestId);
  }
  if (exception && typeof exception === 'object') {
    const e = exception as { code?: unknown; statusCode?: unknown };
    if (typeof e.code === 'string' && FASTIFY_CODES[e.code])
      return build(FASTIFY_CODES[e.code], requestId);
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return build(STATUS_CODES[e.statusCode] ?? ErrorCode.VALIDATION_FAILED, requestId);
    }
  }
  return build(ErrorCode.INTERNAL_ERROR, requestId, { unexpected: true });
}
