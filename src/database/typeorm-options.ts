import type { DataSourceOptions } from 'typeorm';
import { PostgresNamingStrategy } from './postgres-naming.strategy';
import { QueryCountingLogger } from './query-counting.logger';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations';

/**
 * The one definition of the database options, shared by the app and the TypeORM CLI. The app
 * passes no entities (each module registers its own: autoLoadEntities); the CLI and the schema
 * test pass config/entity-paths.
 */
export function buildTypeOrmOptions(
  url: string,
  poolSize = 10,
  entities: NonNullable<DataSourceOptions['entities']> = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new PostgresNamingStrategy(),
    // Schema changes only through migrations/.
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built in since PostgreSQL 13; uuid-ossp would need a superuser.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    logger: new QueryCountingLogger(),
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'efcx-2fa',
    },
  };
}
