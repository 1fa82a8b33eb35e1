import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server of this test run (embedded, or TEST_DATABASE_URL). */
export function testServerUrl(): string {
  const url = process.env.EFCX_TEST_SERVER_URL;
  if (!url) throw new Error('EFCX_TEST_SERVER_URL is not set: run the e2e tests through jest');
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, empty database for one test file. */
export async function createTestDatabase(): Promise<string> {
  const name = `efcx_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return withDatabase(testServerUrl(), name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Runs one query on the test database (for assertions on what is stored). */
export async function queryDb<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every row of every table of the public schema as text, a row a line: what leak checks read. */
export async function dumpDatabase(url: string): Promise<string> {
  const tables = await queryDb<{ tablename: string }>(
    url,
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
  );
  const rows: string[] = [];
  for (const { tablename } of tables)
    for (const r of await queryDb<{ row: string }>(
      url,
      `SELECT t::text AS row FROM "${tablename}" t`,
    ))
      rows.push(r.row);
  return rows.join('\n');
}

/**
 * Runs `run` while another connection holds the advisory lock `key`: a job that takes the lock
 * for one instance at a time sees another instance at work.
 */
export async function whileLockedElsewhere<T>(
  url: string,
  key: number,
  run: () => Promise<T>,
): Promise<T> {
  const other = new Client({ connectionString: url });
  await other.connect();
  try {
    await other.query('SELECT pg_advisory_lock($1)', [key]);
    const result = await run();
    await other.query('SELECT pg_advisory_unlock($1)', [key]);
    return result;
  } finally {
    await other.end();
  }
}
