import { randomBytes } from 'node:crypto';
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import * as path from 'node:path';
import type { DevCredentials } from '../../config/credentials';
import { freePort } from '../../test/support/ports';
import { processTree } from './process-stats';

const root = path.resolve(__dirname, '../..');

/** The bench's /metrics token: a run-local value (the service requires ≥ 32 characters). */
const BENCH_METRICS_TOKEN = randomBytes(24).toString('base64url');

/** The service's environment for a bench run: production mode, the run's secrets and database. */
export function productionEnv(
  databaseUrl: string,
  secrets: DevCredentials,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PLATFORM_API_KEY: secrets.PLATFORM_API_KEY,
    JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY,
    DATA_ENCRYPTION_KEY: secrets.DATA_ENCRYPTION_KEY,
    OTP_HASH_KEY: secrets.OTP_HASH_KEY,
    LOG_LEVEL: 'warn',
    // Production serves /metrics only with this bearer token (v1.1 §13).
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    // The SMTP sink of the run listens on 127.0.0.1 (any port, no STARTTLS), which production
    // refuses unless listed.
    CHANNEL_ALLOWED_HOSTS: '127.0.0.1:*',
    CHANNEL_PLAINTEXT_HOSTS: '127.0.0.1',
    // Throttles stay on, with limits no run reaches (the report says so).
    THROTTLE_IP_PER_MINUTE: '10000000',
    THROTTLE_USER_PER_MINUTE: '1000000',
    ...extra,
  };
}

/** The platform API of a running service (X-Api-Key), for setting a run up. */
export function platformApi(baseUrl: string, platformKey: string) {
  return async (method: string, p: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: {
        'x-api-key': platformKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (res.status === 204 ? {} : await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

export interface RunningService {
  url: string;
  pid: number;
  /** What the process printed (start-up lines; LOG_LEVEL=warn keeps requests out). */
  output: () => string;
  pids: () => number[];
  /** efcx_db_queries_total of the process that answers (one worker in cluster mode). */
  dbQueries: () => Promise<number>;
  stop: () => Promise<void>;
}

/** The built service (dist/src/main.js), as production runs it, in its own process. */
export async function startService(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<RunningService> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, path.join(root, 'dist/src/main.js')],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 60000);
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
      reject(new Error(`service exited ${code}:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    output: () => output,
    pid: child.pid!,
    pids: () => processTree(child.pid!),
    dbQueries: () =>
      new Promise((resolve, reject) => {
        http
          .get(
            `${url}/metrics`,
            { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } },
            (res) => {
              if (res.statusCode !== 200) {
                res.resume();
                reject(new Error(`/metrics answered ${res.statusCode}`));
                return;
              }
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () =>
                resolve(Number(/^efcx_db_queries_total (\d+)/m.exec(text)?.[1] ?? NaN)),
              );
            },
          )
          .on('error', reject);
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
