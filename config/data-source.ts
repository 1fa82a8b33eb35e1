import { existsSync, readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '../src/database/typeorm-options';
import { embeddedDatabaseUrl } from '../src/database/embedded-postgres';
import { ENTITY_PATHS } from './entity-paths';
import { validateEnvironment } from './environment';

/**
 * The data source of the TypeORM CLI (npm run migration:*). It uses DATABASE_URL, or the embedded
 * server of `npm start` (which must be running) with the password kept in ./.data/credentials.json.
 */
function cliUrl(): string {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnvironment(process.env);
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const file = '.data/credentials.json';
  const creds = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { EMBEDDED_PG_PASSWORD?: string })
    : {};
  return embeddedDatabaseUrl(env.EMBEDDED_PG_PORT ?? 54329, creds.EMBEDDED_PG_PASSWORD ?? '');
}

export default new DataSource(buildTypeOrmOptions(cliUrl(), 2, ENTITY_PATHS));
