import { join } from 'node:path';

/**
 * Every module's entities, for the TypeORM CLI and the schema test: the app itself loads each
 * module's own list (TypeOrmModule.forFeature, autoLoadEntities), so src/database names none.
 */
export const ENTITY_PATHS = [join(__dirname, '../src/**/entities/*.entity.{ts,js}')];
