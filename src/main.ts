import 'reflect-metadata';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/app-config';
import { DevCredentials, loadOrCreateCredentials } from '../config/credentials';
import {
  buildAppConfig,
  ConfigValidationError,
  EnvironmentVariables,
  isProduction,
  validateEnvironment,
} from '../config/environment';
import { createApp, shutdownApp } from './app.factory';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { DevInboxService } from './dev-inbox/dev-inbox.service';
import { readyBanner } from './ready-banner';

/** Stops the embedded PostgreSQL, but never waits for it forever (it may have died already). */
async function stopEmbedded(p: Prepared): Promise<void> {
  if (!p.embedded) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.embedded.stop().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 10_000);
    }),
  ]);
  clearTimeout(timer);
}

/** After SIGTERM: readiness answers 503 this long before the listener closes. */
const SHUTDOWN_GRACE_MS = 1000;

/** Start-up lines for the operator (before the JSON logger exists). Never a secret. */
function say(line: string): void {
  const who = cluster.isPrimary ? '' : ` worker ${cluster.worker?.id}`;
  process.stderr.write(`[efcx-2fa${who}] ${line}\n`);
}

/**
 * SIGTERM/SIGINT run `handler` only. embedded-postgres registers its own handlers (async-exit-hook),
 * which stop PostgreSQL at once and exit 143, racing the drain: we stop it ourselves, last.
 */
function onStopSignal(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => handler(signal));
  }
}

interface Prepared {
  env: EnvironmentVariables;
  config: AppConfig;
  credentials?: { file: string; credentials: DevCredentials };
  embedded?: EmbeddedDatabase;
}

/** Configuration, development secrets and (without DATABASE_URL) the embedded PostgreSQL. */
async function prepare(): Promise<Prepared> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnvironment(process.env);
  let credentials: Prepared['credentials'];
  if (!isProduction(env)) {
    // Generated once into ./.data/credentials.json (0600) and reused; the path is printed, never a value.
    const loaded = await loadOrCreateCredentials(path.resolve('.data'));
    credentials = loaded;
    if (cluster.isPrimary)
      say(`development credentials: ${loaded.file}${loaded.created ? ' (created)' : ''}`);
  }
  const config = buildAppConfig(env, { generated: credentials?.credentials, cwd: process.cwd() });
  let embedded: EmbeddedDatabase | undefined;
  if (!config.database.url) {
    say(`starting the embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}`);
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.dataDir,
      port: config.database.embeddedPort,
      password: credentials!.credentials.EMBEDDED_PG_PASSWORD,
      note: say,
    });
    config.database.url = embedded.url;
  }
  return { env, config, credentials, embedded };
}

/** One HTTP server process; resolves once it listens. SIGTERM: drain, close, exit 0. */
async function serve(p: Prepared, announce: boolean): Promise<void> {
  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    try {
      // Readiness 503 first; the server drains in-flight requests; then the pool closes.
      if (app) await shutdownApp(app, SHUTDOWN_GRACE_MS);
    } finally {
      await stopEmbedded(p);
      process.exit(0);
    }
  };
  onStopSignal((signal) => void shutdown(signal));
  try {
    app = await createApp(p.config);
    await app.listen({ port: p.config.http.port, host: '0.0.0.0' });
  } catch (e) {
    await app?.close().catch(() => undefined);
    await stopEmbedded(p);
    throw e;
  }
  if (announce) announceReady(p, p.config.mail.devInbox && app.get(DevInboxService).running);
}

/** `inbox`: the development inbox runs (a taken DEV_MAIL_PORT was logged as a warning). */
function announceReady(p: Prepared, inbox = p.config.mail.devInbox): void {
  for (const line of readyBanner(p, inbox)) say(line);
}

/**
 * WEB_CONCURRENCY > 1: the primary prepares secrets and the embedded PostgreSQL once, then forks
 * the workers, which share the port; it restarts a worker that dies and stops them on SIGTERM.
 */
async function runPrimary(p: Prepared, workers: number): Promise<void> {
  if (!p.config.throttle.redisUrl)
    say(
      `WARNING: WEB_CONCURRENCY=${workers} without REDIS_URL: each worker keeps its own throttle counts`,
    );
  let stopping = false;
  let listening = 0;
  const fork = () =>
    cluster.fork({ DATABASE_URL: p.config.database.url }).on('listening', (address) => {
      // Workers listen on other ports too (the development inbox's SMTP): count HTTP only.
      if (address.port === p.config.http.port && ++listening === workers) announceReady(p);
    });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
      return;
    }
    say(`worker ${worker.id} exited (${signal ?? code}); starting another`);
    fork();
  });
  const finish = async () => {
    await stopEmbedded(p);
    process.exit(0);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping ${workers} workers`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  onStopSignal(stop);
}

async function main(): Promise<void> {
  const prepared = await prepare();
  const workers = prepared.config.runtime.webConcurrency;
  if (cluster.isPrimary && workers > 1) return runPrimary(prepared, workers);
  return serve(prepared, cluster.isPrimary);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigValidationError) {
    say(e.message);
  } else {
    say(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  process.exit(1);
});
