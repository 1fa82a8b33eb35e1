import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/**
 * What of an unexpected error may be logged: its name, code, message and stack, never the
 * properties a driver attaches (a failed INSERT carries its parameters: a password hash).
 */
export function describeForLog(exception: unknown): Record<string, unknown> {
  // Duck-typed: errors may come from another realm (workers, VM contexts).
  if (typeof exception !== 'object' || exception === null) return { type: typeof exception };
  const e = exception as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  return {
    name: text(e.name, 100),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
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
    if (response.unexpected) {
      // The logger's `err` serializer (describeForLog) keeps only what may be logged.
      this.logger.error({ requestId, err: exception }, 'unhandled error');
    }
    if (reply.sent) return;
    reply.status(response.status).headers(response.headers).send(response.body);
  }
}
