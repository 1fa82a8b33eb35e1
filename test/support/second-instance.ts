import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestApp } from './test-app';
import { freePort } from './ports';

const root = path.resolve(__dirname, '../..');

export interface SecondInstance {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Another instance of the service in its own process (src/main.ts, as production runs it) on the
 * same database and with the same secrets as `primary`: two instances behind one load balancer.
 */
export async function startSecondInstance(
  primary: TestApp,
  env: Record<string, string> = {},
): Promise<SecondInstance> {
  const port = await freePort();
  const cwd = await mkdtemp(path.join(tmpdir(), 'efcx-second-'));
  const auth = primary.config.auth;
  const crypto = primary.config.crypto;
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(root, 'src/main.ts')],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        NODE_PATH: path.join(root, 'node_modules'),
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: primary.databaseUrl,
        PLATFORM_API_KEY: auth.platformApiKey,
        JWT_PRIVATE_KEY: auth.jwtPrivateKeyPem,
        DATA_ENCRYPTION_KEY: crypto.dataEncryptionKey.toString('base64'),
        OTP_HASH_KEY: crypto.otpHashKey.toString('base64'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`second instance did not start:\n${output}`)),
      60000,
    );
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`second instance exited ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
