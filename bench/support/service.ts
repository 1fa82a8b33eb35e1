import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { processTree } from './process-stats';

const root = path.resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
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
          .get(`${url}/metrics`, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () =>
              resolve(Number(/^efcx_db_queries_total (\d+)/m.exec(text)?.[1] ?? NaN)),
            );
          })
          .on('error', reject);
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
