import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';
import type { TestApp } from './test-app';

const root = path.resolve(__dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves when the process has exited, with its exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Kills it if it still runs, and removes its working folder. */
  cleanup: () => Promise<void>;
}

/**
 * `node src/main.ts` through ts-node in its own process and working folder `cwd`, with nothing
 * of this process's environment but PATH (and the ts-node settings), plus `env`.
 */
export function spawnMain(cwd: string, env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(root, 'src/main.ts')],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        NODE_PATH: path.join(root, 'node_modules'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * A child's stdout and stderr as one text. `until` waits for `test` to hold on that text, and
 * fails with the text when the child exits first or `timeoutMs` passes.
 */
export function captureOutput(child: ChildProcess): {
  output: () => string;
  until: (test: (output: string) => boolean, timeoutMs: number) => Promise<void>;
} {
  let output = '';
  const checks: Array<() => void> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const check of checks) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const until = (test: (output: string) => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), timeoutMs);
      const check = () => {
        if (!test(output)) return;
        clearTimeout(timer);
        resolve();
      };
      checks.push(check);
      check();
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code}:\n${output}`));
      });
    });
  return { output: () => output, until };
}

/**
 * The service as production runs it (src/main.ts in its own process, NODE_ENV=production) on the
 * database and with the secrets of `primary`, handing
 * the test the process itself: its signals, its exit code and its output.
 */
export async function startServiceProcess(
  primary: TestApp,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const cwd = await mkdtemp(path.join(tmpdir(), 'efcx-fault-svc-'));
  await chmod(cwd, 0o755);
  const auth = primary.config.auth;
  const crypto = primary.config.crypto;
  const child = spawnMain(cwd, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // Production refuses internal SMTP hosts, other ports than 25/465/587/2525 and plain
    // text unless the operator lists them: the tests' SMTP servers are on 127.0.0.1, on any
    // port, without STARTTLS.
    CHANNEL_ALLOWED_HOSTS: '127.0.0.1:*',
    CHANNEL_PLAINTEXT_HOSTS: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: primary.databaseUrl,
    PLATFORM_API_KEY: auth.platformApiKey,
    JWT_PRIVATE_KEY: auth.jwtPrivateKeyPem,
    DATA_ENCRYPTION_KEY: crypto.dataEncryptionKey.toString('base64'),
    OTP_HASH_KEY: crypto.otpHashKey.toString('base64'),
    ...env,
  });
  const { output, until } = captureOutput(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(cwd, { recursive: true, force: true });
  };
  try {
    await until((text) => text.includes('listening on'), 90000);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { child, port, url: `http://127.0.0.1:${port}`, output, exited, cleanup };
}
