import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, portOpen } from '../support/ports';
import { captureOutput, spawnMain } from '../support/service-process';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node src/main.ts` as `npm start` runs it (no DATABASE_URL), in its own working folder. */
async function startMain(
  cwd: string,
  env: Record<string, string>,
  readyLines = 1,
): Promise<Running> {
  const child = spawnMain(cwd, { LOG_LEVEL: 'warn', ...env });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const { output, until } = captureOutput(child);
  // The last start-up line names the admin user: everything before it is out too.
  await until(
    (text) =>
      (text.match(/listening on/g) ?? []).length >= readyLines && text.includes('admin user'),
    60000,
  );
  return { child, output, exited };
}

async function login(port: number, password: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ tenant: 'demo', username: 'admin', password }),
  });
  return res.status;
}

describe('npm start on the embedded defaults (no DATABASE_URL)', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'efcx-start-'));
    // As a checkout usually is: readable by others (the embedded server runs as 'postgres').
    await chmod(cwd, 0o755);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('generates credentials once (0600), starts PostgreSQL, bootstraps, stops it all on SIGTERM, and reuses everything', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = {
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      DEV_MAIL_PORT: String(await freePort()),
    };
    const first = await startMain(cwd, env);
    const file = path.join(cwd, '.data/credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(first.output()).toContain(`${file} (created)`);
    expect(first.output()).toContain('admin user "admin"');
    for (const secret of Object.values(creds))
      expect(first.output()).not.toContain(secret.slice(0, 24));
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    expect(await login(port, creds.BOOTSTRAP_ADMIN_PASSWORD)).toBe(200);
    expect(await portOpen(pgPort)).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);

    // Second start, now with two workers: same secrets, same data, no new bootstrap.
    const second = await startMain(cwd, { ...env, WEB_CONCURRENCY: '2' });
    expect(second.output()).not.toContain('(created)');
    expect(second.output()).toContain('WEB_CONCURRENCY=2 without REDIS_URL');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(creds);
    const statuses = await Promise.all(
      [1, 2, 3, 4].map(() => login(port, creds.BOOTSTRAP_ADMIN_PASSWORD)),
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; the service said:\n${second.output()}`);
    });
    expect(statuses).toEqual([200, 200, 200, 200]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);
  }, 150000);
});
