import type { Type } from '@nestjs/common';
import type { FieldError } from '../../common/errors/app.exception';
import type { LocalePreference } from '../../messages/locale-choice';

/** A channel as a provider sees it: its config with the secret fields opened. */
export interface ResolvedChannel {
  id: string;
  tenantId: string;
  type: string;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Changes whenever the channel is saved: providers rebuild cached transports on a change. */
  version: string;
}

/** Who a message is for, as its words need it (API.md v1.1 §11). */
export interface MessageRecipient {
  username?: string;
  displayName?: string | null;
  /** The user's locale and the tenant's default: the message's language follows them. */
  locale: LocalePreference;
}

/** What a code message says (rule 9: what it is for, when it expires, who asked from where). */
export interface CodeMessage extends MessageRecipient {
  to: string;
  code: string;
  purpose: 'login' | 'register';
  /** Seconds until the code expires (never overstated). */
  expiresInSeconds: number;
  tenantName: string;
  ip: string;
  userAgent: string | null;
}

/** A test of a channel (POST …/channels/{id}/test): a message of its own, with no code. */
export interface TestMessage extends MessageRecipient {
  to: string;
  tenantName: string;
  channelName: string;
}

/**
 * A security notice to the user (no code): template `recovery_code_used` (API.md v1.1 §6) says a
 * recovery code was used to sign in, how many are left, and what to do if it was not them.
 */
export interface NoticeMessage extends MessageRecipient {
  to: string;
  template: 'recovery_code_used';
  tenantName: string;
  remaining: number;
  ip: string;
  userAgent: string | null;
}

/** A delivery that did not happen; `reason` is the exact one, for the audit log only. */
export class DeliveryError extends Error {
  constructor(
    readonly reason: string,
    detail?: string,
  ) {
    super(detail ?? reason);
    this.name = 'DeliveryError';
  }
}

export interface ConfigCheckContext {
  production: boolean;
  allowedHosts: string[];
  plaintextHosts: string[];
}

/**
 * One channel type. A new type (SMS, a webhook connector) is one subclass registered in the
 * channels module; the OTP lifecycle, the settings validation and the auth flow do not change.
 *
 * - kind `code`: this service draws the code and the provider delivers it (the OTP rules apply);
 * - kind `app`: the user's app computes the code (authenticator), the provider verifies it.
 */
export abstract class ChannelProvider {
  abstract readonly type: string;
  abstract readonly kind: 'code' | 'app';
  /** class-validator DTO of `config`, secret fields included. */
  abstract readonly configDto: Type<object>;
  /** Fields of `config` that are write-only and stored sealed. */
  abstract readonly secretFields: readonly string[];

  /**
   * Config fields that bind the secrets to where they are sent (email: host, port, username,
   * tls): a PATCH that changes one must send the secrets again, so a stored secret never follows
   * the channel to a new endpoint.
   */
  readonly secretBoundFields: readonly string[] = [];

  /**
   * Whether a registration's destination is an email address: it then doubles as the user's
   * contact email (when empty) and counts for `sharedEmail` in the admin's user list.
   */
  readonly destinationIsEmail: boolean = false;

  /**
   * The config in its current form, before validation: older spellings of a field become the
   * current one and, unless `partial` (a PATCH's keys, before they merge), defaults are filled in.
   */
  normalizeConfig(config: Record<string, unknown>, _partial = false): Record<string, unknown> {
    return config;
  }

  /** Further checks of a valid config (allowed hosts, …). */
  checkConfig(_config: Record<string, unknown>, _ctx: ConfigCheckContext): FieldError[] {
    return [];
  }

  /** Masks an address for /v1/auth/* responses (admins see it whole). */
  abstract maskDestination(destination: string): string;

  /** The comparison key of an address (rule 3's "same address"). */
  destinationKey(destination: string): string {
    return destination.trim().toLowerCase();
  }
}

/** A provider whose codes this service sends. */
export abstract class CodeChannelProvider extends ChannelProvider {
  readonly kind = 'code' as const;
  /** class-validator DTO of the /v1/auth/2fa/register body. */
  abstract readonly registrationDto: Type<object>;
  /** The address a validated registration body names. */
  abstract destinationOf(registration: object): string;
  /** Delivers or throws DeliveryError (never hangs past the configured timeout). */
  abstract deliver(channel: ResolvedChannel, message: CodeMessage): Promise<void>;
  /** Sends a test message (no code, no security warning) or throws DeliveryError. */
  abstract sendTest(channel: ResolvedChannel, message: TestMessage): Promise<void>;
  /** class-validator DTO of the /test body. */
  abstract readonly testDto: Type<object>;
  abstract testDestination(body: object): string;
  /** Sends a notice (no code) or throws DeliveryError; a provider without one sends none. */
  sendNotice?(channel: ResolvedChannel, message: NoticeMessage): Promise<void>;
}

export function isCodeProvider(p: ChannelProvider): p is CodeChannelProvider {
  return p.kind === 'code';
}

/** A new app registration: shown once, confirmed by the first valid code. */
export interface Enrollment {
  /** The shared secret (base32), for manual entry. */
  secret: string;
  /** What the registration keeps (e.g. digits, period, algorithm). */
  params: Record<string, string | number>;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

/** A provider whose codes the user's app computes (authenticator): it enrolls and checks. */
export abstract class AppChannelProvider extends ChannelProvider {
  readonly kind = 'app' as const;

  abstract enroll(
    channel: ResolvedChannel,
    account: { username: string; tenantName: string },
  ): Promise<Enrollment>;

  /**
   * The time step (or counter) `code` is valid for, under the registration's `params` and the
   * channel's current settings (window); null when it is not valid.
   */
  abstract check(
    secret: string,
    params: Record<string, string | number>,
    code: string,
    channel: ResolvedChannel,
  ): Promise<number | null>;

  maskDestination(): string {
    return '';
  }
}

export function isAppProvider(p: ChannelProvider): p is AppChannelProvider {
  return p.kind === 'app';
}
