import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { portOpen } from '../../test/support/ports';
import { countPostgresServer, parentOf } from './process-stats';
import { sql } from './seed';

export interface BenchDatabase {
  /** The throwaway database's URL. */
  url: string;
  /** Which server it lives on, for the report. */
  label: string;
  /** Drops the database (and stops the embedded server, if one was started). */
  close: () => Promise<void>;
}

/**
 * A throwaway database `<prefix>_<random>` on BENCH_DATABASE_URL's server, else the machine's
 * PostgreSQL at 127.0.0.1:5432 when it answers, else an embedded one started for the run.
 */
export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  let serverUrl: string;
  let label: string;
  let stopServer = async () => {};
  if (process.env.BENCH_DATABASE_URL) {
    serverUrl = process.env.BENCH_DATABASE_URL;
    label = 'BENCH_DATABASE_URL';
  } else if (await portOpen(5432)) {
    serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
    const [v] = await sql<{ server_version: string }>(serverUrl, 'SHOW server_version');
    label = `the machine's PostgreSQL ${v.server_version} (127.0.0.1:5432)`;
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-pg-`));
    const port = 55000 + Math.floor(Math.random() * 5000);
    const pg = await startEmbeddedPostgres({ dataDir: dir, port, password: prefix });
    serverUrl = pg.url.replace(/\/[^/]*$/, '/postgres');
    label = `an embedded PostgreSQL (embedded-postgres) on 127.0.0.1:${port}`;
    stopServer = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await sql(serverUrl, `CREATE DATABASE ${name}`);
  await countThisServer(serverUrl);
  return {
    url: serverUrl.replace(/\/[^/]*$/, `/${name}`),
    label: `${label}, database ${name}`,
    close: async () => {
      await sql(serverUrl, `DROP DATABASE ${name} WITH (FORCE)`);
      await stopServer();
    },
  };
}

/**
 * When the server runs on this machine, PostgreSQL CPU is measured on its processes only: the
 * checkpointer lives as long as the server, and its parent is the postmaster.
 */
async function countThisServer(serverUrl: string): Promise<void> {
  const [row] = await sql<{ pid: number }>(
    serverUrl,
    `SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`,
  );
  const postmaster = row ? parentOf(row.pid) : null;
  if (postmaster === null) return;
  try {
    if (readFileSync(`/proc/${postmaster}/comm`, 'utf8').trim() !== 'postgres') return;
  } catch {
    return;
  }
  countPostgresServer(postmaster);
}

/** Autovacuum and autoanalyze runs finished so far on the database's tables. */
export async function autovacuumRuns(url: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    url,
    `SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0)::int AS n
       FROM pg_stat_user_tables`,
  );
  return row.n;
}
