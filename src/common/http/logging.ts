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

/** Nest's start-up chatter (one line per module and route): dropped from the pretty output. */
const NEST_STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** pino's `info` level number: start-up lines at or below it are dropped when quiet. */
const INFO = 30;

/**
 * The pino-pretty stream for LOG_FORMAT=pretty, or undefined when pino-pretty is not installed
 * (a devDependency: `npm ci --omit=dev` leaves it out), then the logs stay JSON.
 */
function prettyStream(): DestinationStream | undefined {
  let pretty: (options: Record<string, unknown>) => DestinationStream;
  try {
    // Loaded only when asked for (outside production by default), never on the JSON path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pretty = require('pino-pretty') as typeof pretty;
  } catch {
    process.stderr.write(
      '[efcx-2fa] LOG_FORMAT=pretty but pino-pretty is not installed (a devDependency): JSON logs\n',
    );
    return undefined;
  }
  return pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat:
      '{if context}{context}: {end}{if req.method}{req.method} {req.url} → {res.statusCode} ({responseTime} ms) {end}{msg}',
    singleLine: true,
  });
}

/**
 * `format` json: one JSON object a line on `stream` (stdout by default). pretty (and no `stream`):
 * pino-pretty for people, without Nest's start-up lines (each module and route) below warn.
 */
export function buildLoggerOptions(
  level: string,
  stream?: DestinationStream,
  format: 'json' | 'pretty' = 'json',
): Params {
  const pretty = format === 'pretty' && !stream ? prettyStream() : undefined;
  const output = stream ?? pretty;
  const options = {
    level,
    ...(pretty
      ? {
          hooks: {
            logMethod(
              this: unknown,
              args: unknown[],
              method: (...a: unknown[]) => void,
              levelNumber: number,
            ) {
              const first = args[0] as { context?: unknown } | undefined;
              if (
                levelNumber <= INFO &&
                typeof first === 'object' &&
                first !== null &&
                NEST_STARTUP_CONTEXTS.has(String(first.context))
              )
                return;
              method.apply(this, args);
            },
          },
        }
      : {}),
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
  return { pinoHttp: output ? [options, output] : options };
}
