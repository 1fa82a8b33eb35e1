import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, dropTestDatabase, queryDb } from '../support/database';
import { startTestApp, TestApp } from '../support/test-app';

/** Runs src/main.ts (transpiled on the fly) with `env` and returns its exit code and output. */
function runMain(
  env: Record<string, string>,
  timeoutMs = 30000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/main.ts'],
      {
        cwd: path.resolve(__dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('start-up in production refuses missing or weak secrets', () => {
  const base = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    PLATFORM_API_KEY: 'k'.repeat(8) + 'Zq3vT9pXw2LmN8rB5yC7uJ4hG6fD1sA0',
    DATA_ENCRYPTION_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => i + 7)).toString(
      'base64',
    ),
    OTP_HASH_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => i + 9)).toString('base64'),
  };

  it('exits non-zero naming JWT_PRIVATE_KEY when it is missing', async () => {
    const { code, output } = await runMain(base);
    expect(code).not.toBe(0);
    expect(output).toContain('JWT_PRIVATE_KEY');
  });

  it('exits non-zero naming PLATFORM_API_KEY when it has 10 characters', async () => {
    const { code, output } = await runMain({ ...base, PLATFORM_API_KEY: '0123456789' });
    expect(code).not.toBe(0);
    expect(output).toContain('PLATFORM_API_KEY');
    expect(output).not.toContain('0123456789');
  });
});

describe('several instances starting together on one empty database', () => {
  let databaseUrl: string;
  let apps: TestApp[] = [];
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await dropTestDatabase(databaseUrl);
  });

  it('migrate and bootstrap exactly once (advisory lock), and all serve', async () => {
    const env = { BOOTSTRAP_TENANT: 'boot', BOOTSTRAP_ADMIN_PASSWORD: 'a-long-bootstrap-password' };
    apps = await Promise.all(
      [1, 2, 3].map(() => startTestApp({ databaseUrl, env, bootstrap: true })),
    );
    const migrations = await queryDb<{ n: string }>(
      databaseUrl,
      'SELECT count(*) AS n FROM migrations',
    );
    const tenants = await queryDb<{ slug: string }>(databaseUrl, 'SELECT slug FROM tenants');
    const admins = await queryDb<{ username: string; roles: string[] }>(
      databaseUrl,
      'SELECT username, roles FROM users',
    );
    expect(Number(migrations[0].n)).toBeGreaterThan(0);
    const distinct = await queryDb<{ n: string }>(
      databaseUrl,
      'SELECT count(DISTINCT name) AS n FROM migrations',
    );
    expect(distinct[0].n).toBe(migrations[0].n);
    expect(tenants).toEqual([{ slug: 'boot' }]);
    expect(admins).toEqual([{ username: 'admin', roles: ['admin'] }]);
    const res = await apps[2]
      .http()
      .post('/v1/auth/login')
      .send({ tenant: 'boot', username: 'admin', password: 'a-long-bootstrap-password' })
      .expect(200);
    expect(res.body.status).toBe('AUTHENTICATED');
  });

  it('a restart on the same database applies nothing twice and bootstraps nothing twice', async () => {
    const again = await startTestApp({
      databaseUrl,
      env: { BOOTSTRAP_TENANT: 'other', BOOTSTRAP_ADMIN_PASSWORD: 'a-long-bootstrap-password' },
      bootstrap: true,
    });
    apps.push(again);
    const tenants = await queryDb<{ slug: string }>(databaseUrl, 'SELECT slug FROM tenants');
    expect(tenants).toEqual([{ slug: 'boot' }]);
  });
});

describe('SIGTERM', () => {
  let databaseUrl: string;
  let workDir: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    workDir = await mkdtemp(path.join(tmpdir(), 'efcx-main-'));
  });
  afterAll(async () => {
    await dropTestDatabase(databaseUrl);
    await rm(workDir, { recursive: true, force: true });
  });

  it('lets in-flight requests finish, then exits 0', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const root = path.resolve(__dirname, '../..');
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(root, 'src/main.ts')],
      {
        cwd: workDir,
        env: {
          PATH: process.env.PATH ?? '',
          TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
          NODE_PATH: path.join(root, 'node_modules'),
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 45000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const base = `http://127.0.0.1:${port}`;
    // The bootstrap tenant exists (development defaults): a login is an argon2 verify in flight.
    const inFlight = Promise.all(
      [1, 2, 3, 4].map(() =>
        fetch(`${base}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'not-the-password' }),
        }).then((r) => r.status),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    // Readiness turns 503 at once, while requests are still served during the grace period.
    let ready = 0;
    for (let i = 0; i < 15 && ready !== 503; i++) {
      ready = (await fetch(`${base}/health/ready`, { headers: { connection: 'close' } })).status;
      if (ready !== 503) await new Promise((r) => setTimeout(r, 40));
    }
    expect(ready).toBe(503);
    expect(await inFlight).toEqual([401, 401, 401, 401]);
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM');
  }, 90000);
});
