import { DataSource } from 'typeorm';
import { ENTITY_PATHS } from '../../config/entity-paths';
import { buildTypeOrmOptions } from '../../src/database/typeorm-options';
import { createTestDatabase, dropTestDatabase } from '../support/database';

describe('schema', () => {
  let databaseUrl: string;
  let ds: DataSource;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    ds = new DataSource(buildTypeOrmOptions(databaseUrl, 2, ENTITY_PATHS));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await ds.destroy();
    await dropTestDatabase(databaseUrl);
  });

  it('the entities describe exactly what the migrations built (migration:generate finds nothing)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('every migration reverts cleanly and applies again', async () => {
    const count = ds.migrations.length;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(left).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
