import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM calls its logger for every statement it sends (BEGIN and COMMIT included), whatever the
 * `logging` option: counting them here gives the database round trips per operation
 * (efcx_db_queries_total, read by the benchmarks). Nothing is logged: errors reach the callers.
 */
export class QueryCountingLogger implements TypeOrmLogger {
  queries = 0;

  logQuery(): void {
    this.queries++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
