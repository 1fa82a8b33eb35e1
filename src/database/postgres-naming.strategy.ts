import { DefaultNamingStrategy, type Table } from 'typeorm';

/**
 * Foreign keys named as PostgreSQL names them (`<table>_<column>_fkey`), which is what the
 * migrations' REFERENCES clauses left in the database: entities need not spell each name out.
 */
export class PostgresNamingStrategy extends DefaultNamingStrategy {
  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.getTableName(tableOrName)}_${columnNames.join('_')}_fkey`;
  }
}
