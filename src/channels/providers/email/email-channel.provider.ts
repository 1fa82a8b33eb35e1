import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MailerService } from '@nestjs-modules/mailer';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { mailConfig, runtimeConfig } from '../../../../config/app-config';
import { AppException, FieldError } from '../../../common/errors/app.exception';
import { hostAllowed, isInternalHost } from '../../../common/net/host-guard';
import {
  CodeChannelProvider,
  CodeMessage,
  ConfigCheckContext,
  DeliveryError,
  ResolvedChannel,
} from '../channel-provider';
import { EmailChannelConfigDto, EmailRegistrationDto, EmailTestDto } from './email-channel.dto';
import { renderCodeEmail } from './email-message';

// The host guard is shared with the webhooks (src/common/net/host-guard.ts).
export { hostAllowed, isInternalHost };

/** The exact reason of a failed SMTP delivery, for the audit log (never shown to the user). */
export function smtpFailureReason(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; errno?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  if (e?.code === 'ETIMEDOUT' || e?.code === 'ETIMEOUT') return 'smtp_timeout';
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

/**
 * Email through @nestjs-modules/mailer: one nodemailer SMTP transport per channel, built from its
 * stored settings and rebuilt when the channel changes. Every step is bounded by SMTP_TIMEOUT_MS.
 */
@Injectable()
export class EmailChannelProvider extends CodeChannelProvider implements OnModuleDestroy {
  readonly type = 'email';
  readonly configDto = EmailChannelConfigDto;
  readonly secretFields = ['password'] as const;
  readonly registrationDto = EmailRegistrationDto;
  readonly testDto = EmailTestDto;
  /** channel id -> the transporter name of its current version. */
  private readonly transports = new Map<string, string>();

  /** The resolver (a seam for the tests: no test may depend on outside DNS). */
  resolveHost: (host: string) => Promise<Array<{ address: string }>> = (host) =>
    lookup(host, { all: true, verbatim: true });

  constructor(
    private readonly mailer: MailerService,
    @Inject(mailConfig.KEY) private readonly cfg: ConfigType<typeof mailConfig>,
    @Inject(runtimeConfig.KEY) private readonly runtime: ConfigType<typeof runtimeConfig>,
  ) {
    super();
  }

  override checkConfig(config: Record<string, unknown>, ctx: ConfigCheckContext): FieldError[] {
    const host = String(config.host ?? '');
    if (ctx.allowedHosts.length > 0) {
      return hostAllowed(host, ctx.allowedHosts)
        ? []
        : [{ field: 'config.host', message: 'config.host is not in CHANNEL_ALLOWED_HOSTS' }];
    }
    if (ctx.production && isInternalHost(host))
      return [{ field: 'config.host', message: 'config.host must not be an internal address' }];
    return [];
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

  async deliver(channel: ResolvedChannel, message: CodeMessage): Promise<void> {
    const mail = renderCodeEmail(message);
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
          to: message.to,
          from: String(channel.config.from),
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
   * Where to connect. In production, a host that CHANNEL_ALLOWED_HOSTS does not list is resolved
   * here and refused when any of its addresses is loopback, private or link-local (a public name
   * pointing inside, SSRF); the connection then goes to the vetted address itself, with the name
   * kept for TLS, so a second resolution cannot swap it (DNS rebinding).
   */
  private async target(channel: ResolvedChannel): Promise<{ host: string; servername?: string }> {
    const host = String(channel.config.host);
    if (!this.runtime.production || hostAllowed(host, this.cfg.channelAllowedHosts))
      return { host };
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
    this.mailer.addTransporter(name, {
      host: target.host,
      // Connected by address: TLS still checks the certificate against the name.
      ...(target.servername ? { tls: { servername: target.servername } } : {}),
      port: Number(c.port),
      secure: c.secure === true,
      auth: c.username
        ? { user: String(c.username), pass: channel.secrets.password ?? '' }
        : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.transports.set(channel.id, name);
    return name;
  }
}
