import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Sql } from 'sql-template-tag';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const names = new Map<string, string>();

/** A stable name per statement text: PostgreSQL parses and plans it once per connection. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `efcx_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a hot-path statement as a named (prepared) statement on the pool; inside a transaction
 * (a manager given) as a plain one on its connection. Counted in efcx_db_queries_total like
 * every statement TypeORM sends.
 */
export async function runPrepared<T>(
  dataSource: DataSource,
  statement: Sql,
  manager?: EntityManager,
): Promise<T[]> {
  if (manager) return (await manager.query(statement.text, statement.values)) as T[];
  dataSource.logger.logQuery(statement.text);
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query({
    name: nameOf(statement.text),
    text: statement.text,
    values: statement.values,
  });
  return result.rows as T[];
}
