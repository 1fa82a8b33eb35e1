import type { Response } from 'supertest';

/**
 * The members of API.md's error shape in a body: `{ statusCode, code, message, requestId }`.
 * Further members (e.g. `details`, `retryAfterSeconds`) are allowed; the request id is not compared.
 */
export function expectErrorShape(
  body: Record<string, unknown>,
  status: number,
  code: string,
): void {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      code,
      message: expect.any(String),
      requestId: expect.any(String),
    }),
  );
}

/**
 * API.md's error shape, with requestId equal to the X-Request-Id header.
 * Further members (e.g. `details`) are allowed and not checked.
 */
export function expectErrorResponse(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expectErrorShape(res.body, status, code);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
}

/**
 * API.md's error shape exactly: `{ statusCode, code, message, requestId }` with requestId equal to
 * the (non-empty) X-Request-Id header, and nothing else but `details`, which only VALIDATION_FAILED
 * may carry, as a list of `{ field, message }`.
 */
export function expectExactErrorResponse(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  const requestId = res.headers['x-request-id'];
  expect(typeof requestId).toBe('string');
  expect(requestId.length).toBeGreaterThan(0);
  const { details, ...rest } = res.body as Record<string, unknown>;
  expect(rest).toEqual({ statusCode: status, code, message: expect.any(String), requestId });
  if (details !== undefined) {
    expect(code).toBe('VALIDATION_FAILED');
    expect(details).toEqual(
      expect.arrayContaining([{ field: expect.any(String), message: expect.any(String) }]),
    );
  }
}

/** 400 VALIDATION_FAILED in the exact error shape, whose details name `field`. */
export function expectValidationError(res: Response, field: string): void {
  expectExactErrorResponse(res, 400, 'VALIDATION_FAILED');
  const fields = ((res.body.details ?? []) as Array<{ field: string }>).map((d) => d.field);
  expect(fields).toContain(field);
}

/** A response body without its requestId, to compare two answers that must be the same. */
export function withoutRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = body;
  return rest;
}

/**
 * The throttler's 429 body exactly: API.md's error shape and `retryAfterSeconds`, with requestId
 * equal to the X-Request-Id header. Returns the Retry-After header in seconds.
 */
export function expectTooManyRequests(res: Response): number {
  expect(res.body).toEqual({
    statusCode: 429,
    code: 'TOO_MANY_REQUESTS',
    message: expect.any(String),
    requestId: res.headers['x-request-id'],
    retryAfterSeconds: expect.any(Number),
  });
  return Number(res.headers['retry-after']);
}
