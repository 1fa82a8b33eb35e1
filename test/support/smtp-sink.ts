import { simpleParser } from 'mailparser';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  auth: { username: string; password: string } | null;
  /** The name the client greeted with (EHLO/HELO). */
  helo: string;
  /** Header lines by lower-case name (the first of each). */
  headers: Record<string, string>;
  /** Whether the session was encrypted when the mail arrived. */
  secure: boolean;
  /** The message as received (RFC 5322), e.g. to keep it as an .eml file. */
  raw: Buffer;
}

export interface SmtpSinkOptions {
  /**
   * `none` (default): no STARTTLS offered; `starttls`: STARTTLS offered, with a self-signed
   * certificate for 127.0.0.1 (test/support/tls); `implicit`: TLS from the first byte, same one.
   */
  tls?: 'none' | 'starttls' | 'implicit';
}

/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1): what the service delivers
 * arrives here over the wire, parsed with mailparser.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  /** Every AUTH a client attempted, accepted or not, delivered or not. */
  readonly authAttempts: Array<{ username: string; password: string }> = [];
  private server?: SMTPServer;
  private waiters: Array<() => void> = [];
  /** Answer RCPT with this SMTP error (e.g. 550) instead of accepting. */
  rejectWith: number | null = null;
  port = 0;

  constructor(private readonly options: SmtpSinkOptions = {}) {}

  async start(port = 0): Promise<this> {
    const tls = this.options.tls ?? 'none';
    this.server = new SMTPServer({
      secure: tls === 'implicit',
      ...(tls === 'none'
        ? {}
        : {
            key: readFileSync(path.join(__dirname, 'tls/self-signed.key')),
            cert: readFileSync(path.join(__dirname, 'tls/self-signed.crt')),
          }),
      authOptional: true,
      disabledCommands: tls === 'none' ? ['STARTTLS'] : [],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, session, callback) => {
        this.authAttempts.push({ username: auth.username ?? '', password: auth.password ?? '' });
        (session as unknown as { creds: ReceivedMail['auth'] }).creds = {
          username: auth.username ?? '',
          password: auth.password ?? '',
        };
        callback(null, { user: auth.username });
      },
      onRcptTo: (_address, _session, callback) => {
        if (this.rejectWith) {
          const err = Object.assign(new Error('mailbox unavailable'), {
            responseCode: this.rejectWith,
          });
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        new Promise<Buffer>((resolve, reject) => {
          stream.once('end', () => resolve(Buffer.concat(chunks)));
          stream.once('error', reject);
        })
          .then(async (raw) => ({ raw, parsed: await simpleParser(raw) }))
          .then(({ raw, parsed }) => {
            this.mails.push({
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              auth: (session as unknown as { creds?: ReceivedMail['auth'] }).creds ?? null,
              helo: session.hostNameAppearsAs,
              headers: Object.fromEntries(
                [...parsed.headerLines].reverse().map((h) => [h.key, h.line]),
              ),
              secure: session.secure,
              raw,
            });
            const waiters = this.waiters;
            this.waiters = [];
            waiters.forEach((w) => w());
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails to `address` so far. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** Waits for the `n`-th mail (1-based) to `address`. */
  async waitFor(address: string, n = 1, timeoutMs = 5000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= n) return mails[n - 1];
      if (Date.now() > deadline)
        throw new Error(`no mail #${n} to ${address} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The code of the newest mail to `address` (waiting for the `n`-th when given). */
  async codeFor(address: string, n?: number): Promise<string> {
    const mail = n
      ? await this.waitFor(address, n)
      : (this.to(address).at(-1) ?? (await this.waitFor(address)));
    const match = /code is (\d{6,10})\b/.exec(mail.text);
    if (!match) throw new Error(`no code in the mail to ${address}`);
    return match[1];
  }
}
