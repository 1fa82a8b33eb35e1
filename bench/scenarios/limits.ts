/** The limits of this machine, measured in the same run as the service. */
import { hash, verify } from '@node-rs/argon2';
import { Pool } from 'pg';
import { ARGON2_PARAMS } from '../../src/users/password-hasher.service';
import { closedLoop } from '../support/load';
import { BenchResults, log, measure, round } from '../support/measure';
import { BENCH_PASSWORD, sql } from '../support/seed';
import { CORES, VERIFY_CONNECTIONS } from '../support/shape';

export interface MachineLimits {
  argon2PerSecond: number;
  updatePerSecond: number;
  /** PostgreSQL CPU per raw single-row UPDATE, ms. */
  rawPgCpuMs: number;
}

async function rawArgon2(seconds: number): Promise<number> {
  const stored = await hash(BENCH_PASSWORD, ARGON2_PARAMS);
  let done = 0;
  const end = performance.now() + seconds * 1000;
  // As many at once as the service runs (HASH_CONCURRENCY default: 2 per core).
  await closedLoop(
    2 * CORES,
    () => performance.now() > end,
    async () => {
      await verify(stored, BENCH_PASSWORD);
      done++;
    },
  );
  return done / seconds;
}

/** Single-row UPDATE … RETURNING on bench_rows (1M rows), autocommit, as the pool allows. */
async function rawUpdate(url: string, seconds: number, poolSize: number): Promise<number> {
  const pool = new Pool({ connectionString: url, max: poolSize });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await closedLoop(
    VERIFY_CONNECTIONS,
    () => performance.now() > end,
    async () => {
      const id = 1 + Math.floor(Math.random() * 1_000_000);
      await pool.query('UPDATE bench_rows SET n = n + 1 WHERE id = $1 RETURNING n', [id]);
      done++;
    },
  );
  await pool.end();
  return done / seconds;
}

/** Raw argon2id verifies and raw PostgreSQL UPDATEs per second, as rows of the report. */
export async function measureLimits(
  url: string,
  poolSize: number,
  results: BenchResults,
): Promise<MachineLimits> {
  log('raw argon2id verifies…');
  const argon = await measure([], () => rawArgon2(5));
  log(`raw argon2id: ${argon.value.toFixed(1)}/s`);
  log('raw UPDATE … RETURNING on 1,000,000 rows…');
  await sql(url, 'CREATE TABLE bench_rows (id integer PRIMARY KEY, n integer NOT NULL)');
  await sql(url, 'INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, 1000000) g');
  await sql(url, 'ANALYZE bench_rows');
  const upd = await measure([], () => rawUpdate(url, 5, poolSize));
  await sql(url, 'DROP TABLE bench_rows');
  const rawPgCpuMs = (upd.pgCpuSeconds * 1000) / (upd.value * 5);
  log(`raw UPDATE: ${upd.value.toFixed(0)}/s`);
  results.add({
    what: `raw argon2id verify (${2 * CORES} at once, service parameters)`,
    perSecond: round(argon.value, 1),
    machineBusyPct: round(argon.machineBusy * 100),
  });
  results.add({
    what: `raw pg UPDATE … RETURNING, 1M rows (${poolSize} connections, ${VERIFY_CONNECTIONS} in flight)`,
    perSecond: round(upd.value, 0),
    pgCpuMsPerOp: round(rawPgCpuMs, 3),
    machineBusyPct: round(upd.machineBusy * 100),
    roundTrips: 1,
  });
  return { argon2PerSecond: argon.value, updatePerSecond: upd.value, rawPgCpuMs };
}
