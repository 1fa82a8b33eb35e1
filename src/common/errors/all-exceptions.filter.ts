import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

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
      this.logger.error({ requestId, err: exception }, 'unhandled error');
    }
    if (reply.sent) return;
    reply.status(response.status).headers(response.headers).send(response.body);
  }
}
