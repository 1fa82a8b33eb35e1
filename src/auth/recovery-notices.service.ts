import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ChannelsService } from '../channels/channels.service';
import { DeliveryError, isCodeProvider } from '../channels/providers/channel-provider';
import { RequestMeta } from '../common/http/request-context';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { UsersService } from '../users/users.service';

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

  recoveryCodeUsed(
    notice: { tenantId: string; tenantName: string; userId: string; remaining: number },
    meta: RequestMeta,
  ): void {
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

  private async send(
    n: { tenantId: string; tenantName: string; userId: string; remaining: number },
    meta: RequestMeta,
  ): Promise<void> {
    const usable = await this.channels.enabledOfType(n.tenantId, NOTICE_CHANNEL_TYPE);
    if (!usable || !isCodeProvider(usable.provider) || !usable.provider.sendNotice) return;
    const registered = await this.registrations.find(n.tenantId, n.userId, NOTICE_CHANNEL_TYPE);
    const to =
      registered?.destination ?? (await this.users.findById(n.tenantId, n.userId))?.email ?? null;
    if (!to) return;
    await usable.provider.sendNotice(usable.channel, {
      to,
      template: 'recovery_code_used',
      tenantName: n.tenantName,
      remaining: n.remaining,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }
}
