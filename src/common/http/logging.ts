import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { describeForLog } from '../errors/all-exceptions.filter';

/**
 * Paths pino censors wherever they appear in a log line: credentials in headers, and any
 * password, one-time code, token or secret in a logged object. (Bodies are not logged at all.)
 * Not `code`: on an error it is the diagnostic an operator needs (PostgreSQL's SQLSTATE, an
 * errno), and describeForLog keeps only values shaped like one.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.otp',
  '*.secret',
  '*.accessToken',
  '*.refreshToken',
  '*.mfaToken',
  '*.token',
  '*.passwordHash',
];

export function buildLoggerOptions(level: string, stream?: DestinationStream): Params {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The id Fastify gave the request (see genReqId): the same one the client sees.
    genReqId: (req: IncomingMessage) => String(req.headers['x-request-id'] ?? ''),
    customProps: () => ({ service: 'efcx-2fa' }),
    serializers: {
      // Any logged error: never the properties a driver attaches (query parameters).
      err: describeForLog,
      req: (req: {
        id: string;
        method: string;
        url: string;
        headers: Record<string, unknown>;
      }) => ({
        id: req.id,
        method: req.method,
        // Query strings never carry secrets in this API, but drop them anyway: cheap insurance.
        url: typeof req.url === 'string' ? req.url.split('?')[0] : req.url,
        headers: req.headers,
      }),
    },
    quietReqLogger: true,
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
  };
  return { pinoHttp: stream ? [options, stream] : options };
}
