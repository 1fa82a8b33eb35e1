import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * How a fake SMTP server misbehaves:
 * - `silent`: accepts the TCP connection and never says anything (no greeting);
 * - `reject-mail-from` / `reject-rcpt`: greets, then answers 554 to MAIL FROM / RCPT TO;
 * - `reset-in-data`: accepts the envelope and DATA, then resets the connection (RST) once the
 *   first bytes of the message arrive;
 * - `hangup-in-data`: the same, but closes its side cleanly (FIN) in the middle of the message.
 */
export type FakeSmtpFault =
  'silent' | 'reject-mail-from' | 'reject-rcpt' | 'reset-in-data' | 'hangup-in-data';

/** A hand-written SMTP server on 127.0.0.1 (node:net) that fails in one precise way. */
export class FakeSmtpServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Client lines received (commands), in order, over every connection. */
  readonly commands: string[] = [];
  /** Connections accepted so far. */
  connections = 0;
  /** Bytes of message content received after the 354 (before the fault struck). */
  messageBytes = 0;
  port = 0;

  constructor(readonly fault: FakeSmtpFault) {}

  async start(): Promise<this> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.fault === 'silent') return; // reads nothing, says nothing
    const say = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    let inData = false;
    let buffer = '';
    say('220 fake.smtp.test ESMTP ready');
    socket.on('data', (chunk: Buffer) => {
      if (inData) {
        this.messageBytes += chunk.length;
        this.strikeInData(socket);
        return;
      }
      buffer += chunk.toString('latin1');
      let eol: number;
      while (!inData && (eol = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        this.commands.push(line);
        const verb = line.split(' ', 1)[0].toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') say('250 fake.smtp.test');
        else if (verb === 'MAIL')
          say(this.fault === 'reject-mail-from' ? '554 5.7.1 Sender rejected' : '250 2.1.0 Ok');
        else if (verb === 'RCPT')
          say(this.fault === 'reject-rcpt' ? '554 5.7.1 Recipient rejected' : '250 2.1.5 Ok');
        else if (verb === 'DATA') {
          say('354 End data with <CR><LF>.<CR><LF>');
          inData = true;
          // Whatever followed DATA in the same chunk is already message content.
          if (buffer.length) {
            this.messageBytes += buffer.length;
            buffer = '';
            this.strikeInData(socket);
          }
        } else if (verb === 'RSET' || verb === 'NOOP') say('250 2.0.0 Ok');
        else if (verb === 'QUIT') {
          say('221 2.0.0 Bye');
          socket.end();
        } else say('502 5.5.2 Command not implemented');
      }
    });
  }

  /** The fault of the DATA cases, on the first bytes of the message. */
  private strikeInData(socket: Socket): void {
    if (socket.destroyed || socket.writableEnded) return;
    if (this.fault === 'reset-in-data') socket.resetAndDestroy();
    else if (this.fault === 'hangup-in-data') socket.end(); // FIN; keeps reading what still comes
  }
}
