import { DataSource } from 'typeorm';
import { SecretBox } from './secret-box';

/** Where a module keeps sealed values: its table, primary key, column and sealing context. */
export interface SealedColumn<Row extends Record<string, unknown>> {
  table: string;
  /** Primary-key columns (keyset pagination and the guarded update). */
  keys: Array<keyof Row & string>;
  column: keyof Row & string;
  context: (row: Row) => string;
}

/**
 * Re-encrypts, under the current DATA_ENCRYPTION_KEY, every value of `col` sealed with another
 * key (one of DATA_ENCRYPTION_KEYS_PREVIOUS), in batches of `batch` rows, one short transaction
 * each. An update only lands if the value is still the one read (a concurrent change wins), so it
 * is safe while the service runs. Returns how many values were rewritten.
 */
export async function resealColumn<Row extends Record<string, unknown>>(
  dataSource: DataSource,
  box: SecretBox,
  col: SealedColumn<Row>,
  batch = 500,
): Promise<number> {
  const keys = col.keys.join(', ');
  let after: unknown[] | null = null;
  let rewritten = 0;
  for (;;) {
    const params: unknown[] = [box.currentKeyId, batch];
    let where = `${col.column} IS NOT NULL AND split_part(${col.column}, '.', 2) <> $1`;
    if (after) {
      const placeholders = after.map((v) => `$${params.push(v)}`).join(', ');
      where += ` AND (${keys}) > (${placeholders})`;
    }
    const rows = (await dataSource.query(
      `SELECT ${keys}, ${col.column} FROM ${col.table} WHERE ${where} ORDER BY ${keys} LIMIT $2`,
      params,
    )) as Row[];
    if (!rows.length) return rewritten;
    await dataSource.transaction(async (m) => {
      for (const row of rows) {
        const old = String(row[col.column]);
        const fresh = box.seal(box.open(old, col.context(row)), col.context(row));
        const values: unknown[] = [fresh, old];
        const match = col.keys.map((k) => `${k} = $${values.push(row[k])}`).join(' AND ');
        const [, count] = (await m.query(
          `UPDATE ${col.table} SET ${col.column} = $1 WHERE ${col.column} = $2 AND ${match}`,
          values,
        )) as [unknown[], number];
        rewritten += count;
      }
    });
    after = col.keys.map((k) => rows[rows.length - 1][k]);
  }
}
