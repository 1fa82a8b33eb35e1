import 'reflect-metadata';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadOrCreateCredentials } from '../config/credentials';
import {
  buildAppConfig,
  ConfigValidationError,
  isProduction,
  validateEnvironment,
} from '../config/environment';
import { createApp } from './app.factory';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';

/** Start-up lines for the operator (before the JSON logger exists). Never a secret. */
function say(line: string): void {
  process.stderr.write(`[efcx-2fa] ${line}\n`);
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnvironment(process.env);
  const production = isProduction(env);

  let credentials: Awaited<ReturnType<typeof loadOrCreateCredentials>> | undefined;
  if (!production) {
    // Generated once into ./.data/credentials.json (0600) and reused; the path is printed, never a value.
    credentials = await loadOrCreateCredentials(path.resolve('.data'));
    say(`development credentials: ${credentials.file}${credentials.created ? ' (created)' : ''}`);
  }
  const config = buildAppConfig(env, { generated: credentials?.credentials, cwd: process.cwd() });

  let embedded: EmbeddedDatabase | undefined;
  if (!config.database.url) {
    say(
      `starting the embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}, data in ${config.database.dataDir}/pg`,
    );
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.dataDir,
      port: config.database.embeddedPort,
      password: credentials!.credentials.EMBEDDED_PG_PASSWORD,
    });
    config.database.url = embedded.url;
  }

  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    try {
      // Fastify stops accepting, lets in-flight requests finish, then Nest closes the pool.
      await app?.close();
    } finally {
      await embedded?.stop().catch(() => undefined);
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    app = await createApp(config);
    await app.listen({ port: config.http.port, host: '0.0.0.0' });
  } catch (e) {
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw e;
  }
  say(`listening on http://127.0.0.1:${config.http.port} (API docs: /docs)`);
  if (!production && config.bootstrap.tenant) {
    say(
      `tenant "${config.bootstrap.tenant}", admin user "${config.bootstrap.adminUsername}"` +
        (env.BOOTSTRAP_ADMIN_PASSWORD
          ? ''
          : ` (password: BOOTSTRAP_ADMIN_PASSWORD in ${credentials?.file})`),
    );
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigValidationError) {
    say(e.message);
  } else {
    say(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  process.exit(1);
});
