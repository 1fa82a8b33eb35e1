import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { validateBody } from '../common/validation/validation';
import { FailureLimiter } from '../throttling/failure-limiter.service';
import { ChannelsService } from './channels.service';
import { ChannelTestDto } from './dto/channel.dto';
import { DeliveryError, isCodeProvider } from './providers/channel-provider';

/** Test messages per tenant per minute (API.md v1.1 §5). */
const TESTS_PER_MINUTE = 10;

/** POST …/channels/{id}/test: a message of the channel's own, rate-limited and audited. */
@Injectable()
export class ChannelTester {
  constructor(
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
    private readonly limiter: FailureLimiter,
  ) {}

  /**
   * Sends the channel's test message (no code) to `to`: 200, or 502 OTP_DELIVERY_FAILED. At most
   * TESTS_PER_MINUTE per tenant (429, counted in the shared rate counters): a test sends mail to
   * any address the admin names. Every attempt that reached the channel is audited as
   * CHANNEL_TESTED with its outcome.
   */
  async test(
    tenant: ResolvedTenant,
    id: string,
    body: ChannelTestDto,
    meta: RequestMeta,
  ): Promise<{ ok: true }> {
    const tenantId = tenant.id;
    const { channel, provider } = await this.channels.resolve(tenantId, id);
    if (!isCodeProvider(provider))
      throw AppException.conflict('This channel type does not deliver messages.');
    const to = provider.testDestination(await validateBody(provider.testDto, { to: body.to }));
    await this.limiter.consume(`channel-test:${tenantId}`, TESTS_PER_MINUTE);
    let reason: string | null = null;
    try {
      // Written to an address, not a user: in the tenant's default locale.
      await provider.sendTest(channel, {
        to,
        tenantName: tenant.name,
        channelName: channel.name,
        locale: { user: null, tenant: tenant.defaultLocale },
      });
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e;
      reason = e.reason;
    }
    await this.audit.record(tenantId, {
      type: AuditEventType.CHANNEL_TESTED,
      ...auditedBy(meta),
      data: { channelId: id, ok: reason === null, reason },
    });
    if (reason !== null) throw new AppException(ErrorCode.OTP_DELIVERY_FAILED);
    return { ok: true };
  }
}
