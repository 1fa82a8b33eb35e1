import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { AppConfig } from '../../config/app-config';
import { generateCredentials } from '../../config/credentials';
import { buildAppConfig, validateEnvironment } from '../../config/environment';
import { createApp, shutdownApp } from '../../src/app.factory';
import { createTestDatabase, dropTestDatabase } from './database';
import { SmtpSink } from './smtp-sink';

/** Secrets for this worker, generated once: tests never use a fixed key. */
const secrets = generateCredentials();

/**
 * Throttle limits no test reaches:
 * for rule tests, where the throttler must never be the one answering.
 */
export const UNREACHABLE_THROTTLE_LIMITS = {
  THROTTLE_IP_PER_MINUTE: '1000000',
  THROTTLE_USER_PER_MINUTE: '1000000',
  THROTTLE_ACCOUNT_FAILURES_PER_HOUR: '1000000',
};

/**
 * A hash queue that never sheds (HASH_QUEUE_MAX defaults to 4 x HASH_CONCURRENCY): for tests that
 * fire tens of parallel logins to test another rule, on a machine of any speed.
 */
export const ROOM_FOR_PARALLEL_LOGINS = { HASH_QUEUE_MAX: '1000' };

/** A production instance's environment: NODE_ENV production, its database and fresh secrets. */
export function productionEnvironment(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const c = generateCredentials();
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PLATFORM_API_KEY: c.PLATFORM_API_KEY,
    JWT_PRIVATE_KEY: c.JWT_PRIVATE_KEY,
    DATA_ENCRYPTION_KEY: c.DATA_ENCRYPTION_KEY,
    OTP_HASH_KEY: c.OTP_HASH_KEY,
    ...extra,
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  databaseUrl: string;
  platformKey: string;
  /** supertest against the listening server (a real HTTP round trip on 127.0.0.1). */
  http: () => ReturnType<typeof request>;
  /** Every JSON log line written so far (when started with captureLogs). */
  logs: () => string;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables, as an operator would set them. */
  env?: Record<string, string>;
  /** Reuse a database (e.g. a second instance); a fresh one is created otherwise. */
  databaseUrl?: string;
  /** Keep the development bootstrap (tenant + admin); off by default so each test starts empty. */
  bootstrap?: boolean;
  /** Capture the JSON logs at LOG_LEVEL (default: silent). */
  captureLogs?: boolean;
  /** Prefix of the Redis rate counters (with REDIS_URL): a unique one per run, shared by its instances. */
  throttleKeyPrefix?: string;
}

/** The service as main.ts builds it (same config path, same factory), on a fresh database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDatabase = !options.databaseUrl;
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const env = validateEnvironment({
    NODE_ENV: 'test',
    LOG_LEVEL: options.captureLogs ? 'info' : 'silent',
    ...options.env,
  });
  const config = buildAppConfig(env, { generated: secrets });
  config.database.url = databaseUrl;
  config.database.poolSize = 5;
  if (!options.bootstrap) config.bootstrap.tenant = undefined;
  if (options.throttleKeyPrefix) config.throttle.redisKeyPrefix = options.throttleKeyPrefix;
  if (!options.env?.DEV_MAIL_PORT) config.mail.devInbox = false; // many apps share this process

  const chunks: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await createApp(config, options.captureLogs ? { logStream } : {});
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    url,
    databaseUrl,
    platformKey: config.auth.platformApiKey,
    http: () => request(url),
    logs: () => chunks.join(''),
    close: async () => {
      await shutdownApp(app);
      if (ownsDatabase) await dropTestDatabase(databaseUrl);
    },
  };
}

/**
 * For one describe block: a test app started before its tests and stopped after them. `bind`
 * receives the app (assign it to the block's `t`).
 */
export function useTestApp(bind: (app: TestApp) => void, options: TestAppOptions = {}): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(options);
    bind(app);
  });
  afterAll(() => app?.close());
}

/**
 * For one describe block: an SMTP sink and a test app started before its tests and stopped
 * after them. `bind` receives the app (assign it to the block's `t`); the sink is returned.
 */
export function useAppWithSmtp(
  bind: (app: TestApp) => void,
  options: TestAppOptions = {},
): SmtpSink {
  const smtp = new SmtpSink();
  let app: TestApp | undefined;
  beforeAll(async () => {
    await smtp.start();
    app = await startTestApp(options);
    bind(app);
  });
  afterAll(async () => {
    await app?.close();
    await smtp.stop();
  });
  return smtp;
}
