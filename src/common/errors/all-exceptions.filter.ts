import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/**
 * What of an unexpected error may be logged: its name, code, message and stack, never the
 * properties a driver attaches (a failed INSERT carries its parameters: a password hash). The
 * code is a diagnostic (PostgreSQL's SQLSTATE such as 57P03, an errno such as ECONNREFUSED, a
 * library's FST_ERR_…) and is logged as such; anything else under `code` is dropped, so a value
 * that is not an error code (a one-time code) never reaches a log line.
 */
/** SQLSTATE (5 characters, PostgreSQL Appendix A) or an upper-case symbolic code. */
const DIAGNOSTIC_CODE = /^(?:[0-9A-Z]{5}|[A-Z][A-Z0-9_]{2,63})$/;

export function describeForLog(exception: unknown): Record<string, unknown> {
  // Duck-typed: errors may come from another realm (workers, VM contexts).
  if (typeof exception !== 'object' || exception === null) return { type: typeof exception };
  const e = exception as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  return {
    name: text(e.name, 100),
    ...(typeof e.code === 'string' && DIAGNOSTIC_CODE.test(e.code) ? { code: e.code } : {}),
    message: text(e.message, 500),
    stack: text(e.stack, 4000),
  };
}

/** Every error of every route leaves through here, in API.md's shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const requestId = String(request.id);
    const response = toErrorResponse(exception, requestId);
    // The logger's `err` serializer (describeForLog) keeps only what may be logged.
    if (response.unexpected) this.logger.error({ requestId, err: exception }, 'unhandled error');
    else if (response.dependencyFailure)
      this.logger.warn({ requestId, err: exception }, 'database unavailable: answered 503');
    if (reply.sent) return;
    reply.status(response.status).headers(response.headers).send(response.body);
  }
}
