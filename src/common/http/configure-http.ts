import { toErrorResponse } from '../errors/error-response';
import type { Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { HttpConfig } from '../../../config/app-config';
import { AppException } from '../errors/app.exception';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's request id: the client's X-Request-Id when it is sane, else a new UUID. Written back
 * into the raw headers so the pino request logger reports the same id.
 */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

/** API responses are data, never a page: nothing may load or frame them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** Swagger UI runs its own scripts and styles, from this origin only; the inbox page has an inline style. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/**
 * The reference web UI: everything from this origin, nothing inline, no framing. `img-src data:`
 * is for the QR code that the registration answer carries as a data URL.
 */
const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function contentSecurityPolicy(url: string): string {
  const path = url.split('?', 1)[0];
  if (path === '/docs' || path.startsWith('/docs/') || path === '/dev/inbox') return PAGE_CSP;
  if (path === '/' || path === '/admin' || path === '/account' || path.startsWith('/ui/'))
    return UI_CSP;
  return API_CSP;
}

/** Deeper than any body of API.md (settings are 2 levels): beyond, 400 before any recursion. */
const MAX_BODY_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the parsed body without recursion (a deeply nested body must not overflow the stack of
 * what runs later): no key that names an object's prototype machinery, at any depth, and no
 * nesting beyond MAX_BODY_DEPTH. Both are 400, as for any other malformed body.
 */
export function assertPlainBody(body: object): void {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [
    { value: body, path: '', depth: 1 },
  ];
  while (pending.length) {
    const { value, path, depth } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH)
      throw AppException.validation([
        { field: path || 'body', message: `body is nested deeper than ${MAX_BODY_DEPTH} levels` },
      ]);
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key))
        throw AppException.validation([{ field, message: `${key} is not an accepted field` }]);
      pending.push({
        value: (value as Record<string, unknown>)[key],
        path: field,
        depth: depth + 1,
      });
    }
  }
}

/** Body, header and CORS rules of API.md that live at the HTTP layer. */
export function configureHttp(
  app: NestFastifyApplication,
  http: HttpConfig,
  lifecycle: { readonly draining: boolean },
): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

  // Only JSON bodies: without the text/plain parser every other type is 415.
  fastify.removeContentTypeParser(['text/plain']);

  fastify.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // A JSON body must be an object: `null`, arrays and bare values are 400, never a 500 later.
  fastify.addHook('preValidation', async (req: FastifyRequest) => {
    const body = req.body;
    if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
      throw AppException.validation([{ field: 'body', message: 'body must be a JSON object' }]);
    }
    if (body !== undefined) assertPlainBody(body);
  });

  fastify.addHook('onSend', async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('content-security-policy', contentSecurityPolicy(req.url));
    if (req.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
    if (lifecycle.draining) reply.header('connection', 'close');
    return payload;
  });

  if (http.corsOrigins.length) {
    const origins = new Set(http.corsOrigins);
    app.enableCors({
      // Only the auth endpoints are for browsers; bearer tokens in a header, no cookies.
      delegator: (req, cb) =>
        cb(null, {
          origin: req.url?.startsWith('/v1/auth/')
            ? (origin: string | undefined, done: (e: Error | null, allow: boolean) => void) =>
                done(null, origin !== undefined && origins.has(origin))
            : false,
          methods: ['GET', 'POST'],
          allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
          exposedHeaders: ['X-Request-Id', 'Retry-After'],
          credentials: false,
          maxAge: 600,
        }),
    });
  }
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers over 16 KB, a malformed
 * request line): answered in the error shape with a request id, like everything else, instead of
 * Fastify's default `431 {"error": …}`. The connection is closed: the parser cannot go on.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const message =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'The request headers (or URL) are too large.'
      : 'The request is not valid HTTP.';
  const response = toErrorResponse(
    AppException.validation([{ field: 'request', message }]),
    requestId,
  );
  const body = JSON.stringify(response.body);
  const headers = {
    ...SECURITY_HEADERS,
    'content-security-policy': API_CSP,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    'cache-control': 'no-store',
    connection: 'close',
  };
  socket.end(
    `HTTP/1.1 ${response.status} Bad Request\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      `\r\n${body}`,
  );
}
