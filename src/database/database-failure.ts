import { QueryFailedError } from 'typeorm';

/**
 * Which database failures are not the request's fault (API.md v1.1 §13): the dependency is down,
 * refusing, restarting or overloaded, so the answer is 503 SERVICE_UNAVAILABLE with Retry-After
 * (a client retries it), never a 500.
 */

/** Socket-level errors of the driver (Node errno codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** SQLSTATEs (PostgreSQL Appendix A) that say "the server cannot serve now", whatever was asked. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down / in recovery
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '57014', // query_canceled (statement timeout)
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database does not exist (dropped, not created yet)
  '28000', // invalid_authorization_specification (credentials rotated under us)
  '28P01', // invalid_password
  '25006', // read_only_sql_transaction: connected to a standby (mid-failover)
  '40001', // serialization_failure: the service does not retry it, so this is the final answer
  '40P01', // deadlock_detected: likewise, transient
  '55P03', // lock_not_available (lock timeout)
]);

/**
 * Raised only when a connection is opened: 55000 object_not_in_prerequisite_state is
 * "database is not currently accepting connections" (ALLOW_CONNECTIONS false) there, but a bug
 * when a statement raises it (currval before nextval…), so it counts only outside a query.
 */
const CONNECT_ONLY_SQLSTATES = new Set(['55000']);

/** node-postgres and the pool say these without a code when the socket goes away. */
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i;

/** TypeORM's own "no connection" errors. */
const NOT_CONNECTED_NAMES = new Set([
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
  'CannotConnectAlreadyConnectedError',
]);

interface DriverErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** True when `err` (or what it wraps) is a connection-class database failure: answer 503. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return unavailable(err, false, 0);
}

function unavailable(err: unknown, inQuery: boolean, depth: number): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as DriverErrorLike;
  // A statement's error carries the driver's error inside it: still "in a query" down there.
  inQuery ||= err instanceof QueryFailedError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code) {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // Class 08, connection exception: 08000, 08003, 08006, 08001, 08004, 08007, 08P01.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    if (CONNECT_ONLY_SQLSTATES.has(code) && !inQuery) return true;
  }
  if (typeof e.name === 'string' && NOT_CONNECTED_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  // Connecting to a name with several addresses fails with an AggregateError of each attempt.
  if (Array.isArray(e.errors) && e.errors.some((x) => unavailable(x, inQuery, depth + 1)))
    return true;
  return unavailable(e.driverError, inQuery, depth + 1) || unavailable(e.cause, inQuery, depth + 1);
}

/** PostgreSQL's SQLSTATE (or the errno code) of a database error, for log lines. */
export function databaseErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as DriverErrorLike;
  if (typeof e.code === 'string') return e.code;
  return databaseErrorCode(e.driverError);
}
