import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A light SMTP server for the benchmarks: keeps only each recipient's codes (no MIME parsing,
 * which would cost the client the CPU the service needs). Waiters are woken per address.
 */
export class CodeSink {
  private readonly codes = new Map<string, string[]>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private server?: SMTPServer;
  port = 0;
  delivered = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // Quoted-printable soft line breaks may split the sentence: join them first.
          const text = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/=\r?\n/g, '');
          const code = /code is (\d{6,10})\b/.exec(text)?.[1];
          this.delivered++;
          for (const rcpt of session.envelope.rcptTo) {
            const address = rcpt.address.toLowerCase();
            if (code) {
              const list = this.codes.get(address) ?? [];
              list.push(code);
              this.codes.set(address, list);
            }
            const w = this.waiters.get(address);
            this.waiters.delete(address);
            w?.forEach((f) => f());
          }
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  count(address: string): number {
    return this.codes.get(address.toLowerCase())?.length ?? 0;
  }

  /** The `n`-th code sent to `address` (1-based), waiting up to `timeoutMs` for it. */
  async code(address: string, n: number, timeoutMs = 15000): Promise<string> {
    const key = address.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = this.codes.get(key);
      if (list && list.length >= n) return list[n - 1];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no code #${n} for ${address}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        const list = this.waiters.get(key) ?? [];
        list.push(() => {
          clearTimeout(t);
          resolve();
        });
        this.waiters.set(key, list);
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
