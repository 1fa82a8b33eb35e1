import { raw, Sql } from 'sql-template-tag';

/**
 * An entity's columns as a statement of another module selects them, each aliased
 * `<prefix>_<column>` so that several tables fit in one row, with the one mapping back. The column
 * map names every field of `T`: a field added to `T` without its column does not compile.
 */
export class SelectedColumns<T extends object> {
  /** [field, column] pairs, in the map's order. */
  private readonly fields: ReadonlyArray<readonly [string, string]>;

  constructor(
    private readonly prefix: string,
    columns: { [K in keyof T]-?: string },
  ) {
    this.fields = Object.entries(columns as Record<string, string>);
  }

  /** The select list of the table under `alias`. */
  of(alias: string): Sql {
    return raw(this.fields.map(([, c]) => `${alias}.${c} AS ${this.prefix}_${c}`).join(', '));
  }

  /** The entity a row holds, or null when it holds none (an outer join found nothing). */
  read(row: object): T | null {
    const r = row as Record<string, unknown>;
    if (r[`${this.prefix}_id`] == null) return null;
    const entity: Record<string, unknown> = {};
    for (const [field, column] of this.fields) entity[field] = r[`${this.prefix}_${column}`];
    return entity as T;
  }
}
