import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ChannelsService } from '../channels/channels.service';
import { DeliveryError, isCodeProvider } from '../channels/providers/channel-provider';
import { RequestMeta } from '../common/http/request-context';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { UsersService } from '../users/users.service';

export interface RecoveryNotice {
  tenantId: string;
  tenantName: string;
  /** The tenant's default locale (the user's own is read with the user). */
  tenantLocale: string;
  userId: string;
  remaining: number;
}

/** The notices go by email, whatever channel type signs the user in. */
const NOTICE_CHANNEL_TYPE = 'email';

/**
 * The mail that tells a user a recovery code of theirs was used (API.md v1.1 §6, template
 * `recovery_code_used`): through the tenant's first enabled email channel, to the user's email
 * registration's address, else the user's email. Sent after the answer (a failed or slow mail
 * never fails a sign-in); none when the tenant has no enabled email channel or the user no address.
 */
@Injectable()
export class RecoveryNotices implements OnModuleDestroy {
  private readonly logger = new Logger('RecoveryNotices');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly channels: ChannelsService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly users: UsersService,
  ) {}

  recoveryCodeUsed(notice: RecoveryNotice, meta: RequestMeta): void {
    const sending = this.send(notice, meta).catch((err: unknown) =>
      this.logger.warn(
        {
          reason: err instanceof DeliveryError ? err.reason : 'error',
          template: 'recovery_code_used',
        },
        'recovery code notice not delivered',
      ),
    );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async send(n: RecoveryNotice, meta: RequestMeta): Promise<void> {
    const usable = await this.channels.enabledOfType(n.tenantId, NOTICE_CHANNEL_TYPE);
    if (!usable || !isCodeProvider(usable.provider) || !usable.provider.sendNotice) return;
    // After the answer: the user (name, locale) and the address are read here, off the hot path.
    const [registered, user] = await Promise.all([
      this.registrations.find(n.tenantId, n.userId, NOTICE_CHANNEL_TYPE),
      this.users.findById(n.tenantId, n.userId),
    ]);
    const to = registered?.destination ?? user?.email ?? null;
    if (!to || !user) return;
    await usable.provider.sendNotice(usable.channel, {
      to,
      template: 'recovery_code_used',
      tenantName: n.tenantName,
      username: user.username,
      displayName: user.displayName,
      locale: { user: user.locale, tenant: n.tenantLocale },
      remaining: n.remaining,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }
}
