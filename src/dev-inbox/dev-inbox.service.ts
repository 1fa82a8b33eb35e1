import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Readable } from 'node:stream';
// Types only: smtp-server and mailparser are devDependencies, loaded when the inbox starts
// (never in production, where `npm ci --omit=dev` leaves them out).
import type { SMTPServer, SMTPServerDataStream, SMTPServerEnvelope } from 'smtp-server';
import { mailConfig } from '../../config/app-config';

/** One mail as the development inbox keeps it. */
export interface InboxMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** The inbox keeps the newest mails only, each bounded, so a flood cannot exhaust memory. */
export const INBOX_CAPACITY = 200;
const MAX_MAIL_BYTES = 256 * 1024;

/** Reads at most `limit` bytes of `stream`, draining (and dropping) the rest; null when over. */
async function readBounded(stream: Readable, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? Buffer.concat(chunks) : null;
}

/**
 * Development only: an SMTP catcher on 127.0.0.1:DEV_MAIL_PORT in this process, so email 2FA works
 * with nothing else installed. Never fails the start: a taken port is a warning.
 */
@Injectable()
export class DevInboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DevInbox');
  private readonly mails: InboxMail[] = [];
  private nextId = 1;
  private server?: SMTPServer;

  constructor(@Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  get smtpPort(): number {
    return this.mail.devMailPort;
  }

  /** Newest first. */
  list(): InboxMail[] {
    return [...this.mails].reverse();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.mail.devInbox) return;
    const port = this.mail.devMailPort;
    let SMTPServerClass: typeof SMTPServer;
    try {
      ({ SMTPServer: SMTPServerClass } = await import('smtp-server'));
    } catch (e) {
      this.logger.warn(
        `development inbox not started: smtp-server is not installed (${(e as Error).message}); ` +
          'it is a devDependency: run `npm install`',
      );
      return;
    }
    const server = new SMTPServerClass({
      secure: false,
      // A self-signed STARTTLS would make nodemailer refuse the connection; this is loopback only.
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'dev' }),
      size: MAX_MAIL_BYTES,
      maxClients: 20,
      disableReverseLookup: true,
      closeTimeout: 1000,
      logger: false,
      onData: (stream, session, callback) => {
        this.receive(stream, session.envelope).then(
          () => callback(),
          (e: Error) => callback(e),
        );
      },
    });
    // Errors are emitted on the server: unhandled, they would end the process. Before it listens,
    // the listen failure is the only one, and is reported below.
    server.on('error', (e: Error) => {
      if (this.server === server) this.logger.warn(`development inbox: ${e.message}`);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      this.logger.warn(
        `development inbox not started: cannot listen on 127.0.0.1:${port} (${code}); ` +
          'set DEV_MAIL_PORT to a free port to read the mails at /dev/inbox',
      );
      server.close(() => undefined);
      return;
    }
    this.server = server;
    this.logger.log(`development inbox: SMTP on 127.0.0.1:${port}, mails at /dev/inbox`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async receive(stream: SMTPServerDataStream, envelope: SMTPServerEnvelope): Promise<void> {
    const raw = await readBounded(stream, MAX_MAIL_BYTES);
    if (!raw || stream.sizeExceeded)
      throw Object.assign(new Error('message too large for the development inbox'), {
        responseCode: 552,
      });
    const { simpleParser } = await import('mailparser');
    const parsed = await simpleParser(raw);
    this.mails.push({
      id: this.nextId++,
      receivedAt: new Date().toISOString(),
      from: envelope.mailFrom ? envelope.mailFrom.address : '',
      to: envelope.rcptTo.map((r) => r.address),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
    });
    if (this.mails.length > INBOX_CAPACITY)
      this.mails.splice(0, this.mails.length - INBOX_CAPACITY);
  }
}
