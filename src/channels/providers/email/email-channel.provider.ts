import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MailerService } from '@nestjs-modules/mailer';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { mailConfig, runtimeConfig } from '../../../../config/app-config';
import { AppException, FieldError } from '../../../common/errors/app.exception';
import { MailRenderer } from '../../../messages/mail-renderer.service';
import type { RenderedEmail } from '../../../messages/template-kinds';
import {
  CodeChannelProvider,
  CodeMessage,
  ConfigCheckContext,
  DeliveryError,
  NoticeMessage,
  ResolvedChannel,
  TestMessage,
} from '../channel-provider';
import {
  EmailChannelConfigDto,
  EmailRegistrationDto,
  EmailTestDto,
  EmailTls,
} from './email-channel.dto';
import { endpointAllowed, hostAllowed, isInternalHost, STANDARD_SMTP_PORTS } from './smtp-endpoint';

/** The transport security of a stored config: `tls`, or the old `secure` flag. */
export function tlsOf(config: Record<string, unknown>): EmailTls {
  if (config.tls === 'implicit' || config.tls === 'none' || config.tls === 'starttls')
    return config.tls;
  return config.secure === true ? 'implicit' : 'starttls';
}

/** The domain of a `from` ("EFCX <no-reply@acme.test>" → "acme.test"): the default EHLO name. */
export function domainOf(from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1).trim() || 'localhost';
}

/** The exact reason of a failed SMTP delivery, for the audit log (never shown to the user). */
export function smtpFailureReason(err: unknown): string {
  const e = err as {
    code?: string;
    responseCode?: number;
    errno?: unknown;
    message?: unknown;
    command?: unknown;
  };
  const message = typeof e?.message === 'string' ? e.message : '';
  if (e?.code === 'ETIMEDOUT' || e?.code === 'ETIMEOUT') return 'smtp_timeout';
  // requireTLS and a server that does not offer STARTTLS (or refuses it).
  if (e?.code === 'ETLS' && (e.command === 'STARTTLS' || /STARTTLS/i.test(message)))
    return 'smtp_tls_unavailable';
  // The handshake failed: an untrusted or mismatched certificate, no common protocol.
  if (e?.code === 'ETLS' || CERT_ERROR.test(String(e?.code)) || CERT_ERROR.test(message))
    return 'smtp_tls_failed';
  // Nodemailer wraps a refused connection as ESOCKET; the cause says what happened.
  if (e?.errno === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return 'smtp_unreachable';
  if (typeof e?.responseCode === 'number' && e.responseCode >= 400) return 'smtp_rejected';
  if (e?.code === 'EAUTH') return 'smtp_auth_failed';
  if (e?.code === 'ECONNREFUSED' || e?.code === 'EDNS') return 'smtp_unreachable';
  // Nodemailer's ECONNECTION is "connection closed unexpectedly" once the session had begun.
  if (e?.code === 'ESOCKET' || e?.code === 'ECONNRESET' || e?.code === 'ECONNECTION')
    return 'smtp_connection_lost';
  return 'smtp_error';
}

/** Per channel and process: enough for bursts of logins, few enough for a tenant's relay. */
const POOL_CONNECTIONS = 5;
/** A connection is recycled after this many mails (relays limit messages per session). */
const POOL_MESSAGES_PER_CONNECTION = 100;

const CERT_ERROR =
  /CERT|SELF_SIGNED|self[- ]signed|certificate|ERR_TLS|ERR_SSL|wrong version number|alert/i;

/**
 * Email through @nestjs-modules/mailer: one nodemailer SMTP transport per channel, built from its
 * stored settings and rebuilt when the channel changes. Every step is bounded by SMTP_TIMEOUT_MS.
 */
@Injectable()
export class EmailChannelProvider extends CodeChannelProvider implements OnModuleDestroy {
  readonly type = 'email';
  readonly configDto = EmailChannelConfigDto;
  readonly secretFields = ['password'] as const;
  override readonly destinationIsEmail = true;
  override readonly secretBoundFields = ['host', 'port', 'username', 'tls'] as const;
  readonly registrationDto = EmailRegistrationDto;
  readonly testDto = EmailTestDto;
  /** channel id -> the transporter name of its current version. */
  private readonly transports = new Map<string, string>();

  /** The resolver (a seam for the tests: no test may depend on outside DNS). */
  resolveHost: (host: string) => Promise<Array<{ address: string }>> = (host) =>
    lookup(host, { all: true, verbatim: true });

  constructor(
    private readonly mailer: MailerService,
    private readonly renderer: MailRenderer,
    @Inject(mailConfig.KEY) private readonly cfg: ConfigType<typeof mailConfig>,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
  ) {
    super();
  }

  override normalizeConfig(
    config: Record<string, unknown>,
    partial = false,
  ): Record<string, unknown> {
    const c = { ...config };
    if (typeof c.secure === 'boolean') {
      const tls = c.secure ? 'implicit' : 'starttls';
      // Both given and disagreeing: left in place for checkConfig to name.
      if (c.tls === undefined || c.tls === tls) {
        c.tls = tls;
        delete c.secure;
      }
    }
    if (!partial && c.tls === undefined) c.tls = 'starttls';
    return c;
  }

  override checkConfig(config: Record<string, unknown>, ctx: ConfigCheckContext): FieldError[] {
    const host = String(config.host ?? '');
    const port = Number(config.port);
    const problems: FieldError[] = [];
    if (config.secure !== undefined)
      problems.push({ field: 'config.secure', message: 'config.secure contradicts config.tls' });
    if (ctx.allowedHosts.length > 0) {
      if (!hostAllowed(host, ctx.allowedHosts))
        problems.push({
          field: 'config.host',
          message: 'config.host is not in CHANNEL_ALLOWED_HOSTS',
        });
      else if (!endpointAllowed(host, port, ctx.allowedHosts, ctx.production))
        problems.push({
          field: 'config.port',
          message: 'config.port is not allowed for this host by CHANNEL_ALLOWED_HOSTS',
        });
    } else if (ctx.production) {
      if (isInternalHost(host))
        problems.push({
          field: 'config.host',
          message: 'config.host must not be an internal address',
        });
      if (!STANDARD_SMTP_PORTS.includes(port))
        problems.push({
          field: 'config.port',
          message: `config.port must be one of ${STANDARD_SMTP_PORTS.join(', ')}`,
        });
    }
    if (ctx.production && tlsOf(config) === 'none' && !hostAllowed(host, ctx.plaintextHosts))
      problems.push({
        field: 'config.tls',
        message: 'config.tls "none" needs the host in CHANNEL_PLAINTEXT_HOSTS',
      });
    return problems;
  }

  maskDestination(destination: string): string {
    const at = destination.lastIndexOf('@');
    if (at <= 0) return '***';
    return `${destination[0]}***${destination.slice(at)}`;
  }

  destinationOf(registration: object): string {
    const body = registration as EmailRegistrationDto;
    const given = [body.destination, body.email].filter((v) => v !== undefined);
    if (given.length !== 1 || (body.destination && body.email && body.destination !== body.email))
      throw AppException.validation([
        { field: 'destination', message: 'give the address as destination (or email)' },
      ]);
    return given[0]!.trim();
  }

  testDestination(body: object): string {
    return (body as EmailTestDto).to.trim();
  }

  /** The words come from the tenant's templates (API.md v1.1 §11), in the recipient's locale. */
  async deliver(channel: ResolvedChannel, m: CodeMessage): Promise<void> {
    const kind = m.purpose === 'login' ? 'login_code' : 'registration_code';
    const mail = await this.renderer.render(channel.tenantId, kind, m.locale, m);
    return this.send(channel, m.to, mail);
  }

  async sendTest(channel: ResolvedChannel, m: TestMessage): Promise<void> {
    const mail = await this.renderer.render(channel.tenantId, 'channel_test', m.locale, m);
    return this.send(channel, m.to, mail);
  }

  override async sendNotice(channel: ResolvedChannel, m: NoticeMessage): Promise<void> {
    const mail = await this.renderer.render(channel.tenantId, m.template, m.locale, m);
    return this.send(channel, m.to, mail);
  }

  private async send(channel: ResolvedChannel, to: string, mail: RenderedEmail): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // One deadline for all of it: the host's resolution (production) and the SMTP session.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('delivery timed out'), { code: 'ETIMEDOUT' })),
        this.cfg.smtpTimeoutMs,
      );
    });
    try {
      const target = await Promise.race([this.target(channel), deadline]);
      await Promise.race([
        this.mailer.sendMail({
          transporterName: this.transportFor(channel, target),
          to,
          from: String(channel.config.from),
          // RFC 3834: no vacation replies or loops back to the sender.
          headers: { 'Auto-Submitted': 'auto-generated' },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        }),
        deadline,
      ]);
    } catch (err) {
      throw err instanceof DeliveryError ? err : new DeliveryError(smtpFailureReason(err));
    } finally {
      clearTimeout(timer);
    }
  }

  onModuleDestroy(): void {
    for (const name of this.transports.values()) this.mailer.removeTransporter(name);
    this.transports.clear();
  }

  /**
   * Where to connect. In production, a host that CHANNEL_ALLOWED_HOSTS does not list must use a
   * standard port and is resolved here, refused when any of its addresses is not globally
   * reachable (a public name pointing inside, SSRF); the connection then goes to the vetted
   * address itself, with the name kept for TLS, so a second resolution cannot swap it (DNS
   * rebinding).
   */
  private async target(channel: ResolvedChannel): Promise<{ host: string; servername?: string }> {
    const host = String(channel.config.host);
    if (!this.runtime.production) return { host };
    // The environment may have changed since the channel was saved: its rules hold at delivery.
    if (tlsOf(channel.config) === 'none' && !hostAllowed(host, this.cfg.channelPlaintextHosts))
      throw new DeliveryError('smtp_plaintext_refused');
    if (hostAllowed(host, this.cfg.channelAllowedHosts)) {
      if (!endpointAllowed(host, Number(channel.config.port), this.cfg.channelAllowedHosts, true))
        throw new DeliveryError('smtp_host_refused');
      return { host };
    }
    if (!STANDARD_SMTP_PORTS.includes(Number(channel.config.port)))
      throw new DeliveryError('smtp_host_refused');
    if (isInternalHost(host)) throw new DeliveryError('smtp_host_refused');
    if (isIP(host.replace(/^\[|\]$/g, ''))) return { host };
    let addresses: Array<{ address: string }>;
    try {
      addresses = await this.resolveHost(host);
    } catch {
      throw new DeliveryError('smtp_unreachable');
    }
    if (!addresses.length || addresses.some((a) => isInternalHost(a.address)))
      throw new DeliveryError('smtp_host_refused');
    return { host: addresses[0].address, servername: host };
  }

  private transportFor(
    channel: ResolvedChannel,
    target: { host: string; servername?: string },
  ): string {
    const name = `${channel.id}@${channel.version}@${target.host}`;
    const current = this.transports.get(channel.id);
    if (current === name) return name;
    // addTransporter would silently replace without closing: close the old version first.
    if (current) this.mailer.removeTransporter(current);
    const c = channel.config;
    const timeout = this.cfg.smtpTimeoutMs;
    const mode = tlsOf(c);
    const tls: ConnectionOptions = {
      // Never relaxed: extra CAs come from NODE_EXTRA_CA_CERTS.
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // Connected by address: TLS still checks the certificate against the name.
      ...(target.servername ? { servername: target.servername } : {}),
    };
    this.mailer.addTransporter(name, {
      host: target.host,
      port: Number(c.port),
      secure: mode === 'implicit',
      // starttls: the session must be upgraded before AUTH and MAIL, or it fails.
      requireTLS: mode === 'starttls',
      // none: plain text even when the server offers STARTTLS.
      ignoreTLS: mode === 'none',
      tls,
      name: this.cfg.smtpHeloName ?? domainOf(String(c.from)),
      auth: c.username
        ? { user: String(c.username), pass: channel.secrets.password ?? '' }
        : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Pooled: a login's mail reuses an open, authenticated session instead of a new TCP + TLS
      // handshake + AUTH per code; the pool closes with the transport when the channel changes.
      pool: true,
      maxConnections: POOL_CONNECTIONS,
      maxMessages: POOL_MESSAGES_PER_CONNECTION,
    });
    this.transports.set(channel.id, name);
    return name;
  }
}
