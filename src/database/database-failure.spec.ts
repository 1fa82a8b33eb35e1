import { CannotExecuteNotConnectedError, QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-failure';

/** A pg DatabaseError as node-postgres raises it: a message and the SQLSTATE in `code`. */
const pgError = (code: string, message = 'server error') =>
  Object.assign(new Error(message), { code, severity: 'FATAL' });
const inQuery = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['57P03', 'the database system is shutting down'],
    ['53300', 'sorry, too many clients already'],
    ['53300', 'too many connections for role "efcx"'],
    ['08006', 'connection failure'],
    ['08001', 'could not connect'],
    ['08P01', 'protocol violation'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['3D000', 'database "efcx" does not exist'],
    ['28P01', 'password authentication failed'],
    ['57014', 'canceling statement due to statement timeout'],
    ['25006', 'cannot execute UPDATE in a read-only transaction'],
    ['53100', 'could not extend file: No space left on device'],
  ])('SQLSTATE %s (%s): unavailable, raised on connect or by a statement', (code, message) => {
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(true);
    expect(isDatabaseUnavailable(inQuery(pgError(code, message)))).toBe(true);
  });

  it('55000 is "not accepting connections" on connect, but a bug when a statement raises it', () => {
    const refused = pgError('55000', 'database "efcx" is not currently accepting connections');
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(
      isDatabaseUnavailable(
        inQuery(pgError('55000', 'currval of sequence "s" is not yet defined')),
      ),
    ).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'])(
    'socket error %s',
    (code) => {
      const err = Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), { code });
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(isDatabaseUnavailable(inQuery(err))).toBe(true);
    },
  );

  it('connections lost without a code, pool timeouts, and the errors of each address tried', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(isDatabaseUnavailable(new Error(message))).toBe(true);
      expect(isDatabaseUnavailable(inQuery(new Error(message)))).toBe(true);
    }
    const refused = (host: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${host}:5432`), { code: 'ECONNREFUSED' });
    expect(
      isDatabaseUnavailable(new AggregateError([refused('::1'), refused('127.0.0.1')], '')),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: pgError('57P01') }))).toBe(true);
    expect(isDatabaseUnavailable(new CannotExecuteNotConnectedError('default'))).toBe(true);
  });

  it('leaves the request’s own faults and bugs alone', () => {
    for (const code of ['23505', '23503', '22P02', '42P01', '42703', '0A000', '42601', 'XX000']) {
      expect(isDatabaseUnavailable(inQuery(pgError(code)))).toBe(false);
    }
    expect(isDatabaseUnavailable(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is not a function'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
