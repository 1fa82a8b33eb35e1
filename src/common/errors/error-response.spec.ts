import {
  BadRequestException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { AppException } from './app.exception';
import { ErrorCode, ERROR_STATUS } from './error-code';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('keeps an AppException code, message, details and retry-after', () => {
    const r = toErrorResponse(
      new AppException(ErrorCode.OTP_RESEND_COOLDOWN, { retryAfterSeconds: 42 }),
      'req-1',
    );
    expect(r.status).toBe(429);
    expect(r.body).toEqual({
      statusCode: 429,
      code: 'OTP_RESEND_COOLDOWN',
      message: expect.any(String),
      requestId: 'req-1',
      retryAfterSeconds: 42,
    });
    expect(r.headers['retry-after']).toBe('42');
  });

  it('maps every code to the status of API.md', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(toErrorResponse(new AppException(code), 'x').status).toBe(ERROR_STATUS[code]);
    }
  });

  it.each([
    [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 'PAYLOAD_TOO_LARGE'],
    [{ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 'UNSUPPORTED_MEDIA_TYPE'],
    [{ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }, 'VALIDATION_FAILED'],
    [new SyntaxError('Unexpected token'), 'VALIDATION_FAILED'],
    [new NotFoundException(), 'NOT_FOUND'],
    [new BadRequestException('raw detail'), 'VALIDATION_FAILED'],
    [new ThrottlerException(), 'TOO_MANY_REQUESTS'],
    [new ServiceUnavailableException(), 'SERVICE_UNAVAILABLE'],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      'SERVICE_UNAVAILABLE',
    ],
    [new QueryFailedError('q', [], Object.assign(new Error('dup'), { code: '23505' })), 'CONFLICT'],
    [
      new QueryFailedError('q', [], Object.assign(new Error('bad uuid'), { code: '22P02' })),
      'VALIDATION_FAILED',
    ],
  ])('maps %p to %s', (error, code) => {
    expect(toErrorResponse(error, 'x').body.code).toBe(code);
  });

  it('answers anything unknown with a bare 500 that says nothing of the cause', () => {
    const r = toErrorResponse(new Error('SELECT * FROM users at host db-7.internal'), 'x');
    expect(r.status).toBe(500);
    expect(r.unexpected).toBe(true);
    expect(JSON.stringify(r.body)).not.toMatch(/SELECT|db-7|users/);
  });

  it('never echoes the message of a foreign 400 (it may quote the input)', () => {
    const r = toErrorResponse(new BadRequestException('password "hunter2" is wrong'), 'x');
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
  });

  it('sets Retry-After on 503', () => {
    const r = toErrorResponse(new AppException(ErrorCode.SERVICE_UNAVAILABLE), 'x');
    expect(r.headers['retry-after']).toBeDefined();
  });
});
