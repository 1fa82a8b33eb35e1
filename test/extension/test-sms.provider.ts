import { IsString, Matches, MaxLength } from 'class-validator';
import {
  CodeChannelProvider,
  CodeMessage,
  DeliveryError,
  ResolvedChannel,
  TestMessage,
} from '../../src/channels/providers/channel-provider';

/** What a test-only SMS gateway "sent". */
export interface OutboxMessage {
  to: string;
  text: string;
  senderId: string;
  apiKey: string;
}

class SmsConfigDto {
  @MaxLength(11)
  @IsString()
  senderId!: string;

  /** Secret: write-only, stored sealed. */
  @MaxLength(200)
  @IsString()
  apiKey!: string;
}

/** `{ "phone": "+4915112345678" }` (E.164). */
class SmsRegistrationDto {
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number' })
  @IsString()
  phone!: string;
}

class SmsTestDto {
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'to must be an E.164 number' })
  @IsString()
  to!: string;
}

/**
 * The SMS provider of docs/EXTENDING.md, for tests: one class, delivering to an in-memory outbox.
 * It touches nothing of the OTP lifecycle, the auth flow or the settings.
 */
export class TestSmsProvider extends CodeChannelProvider {
  readonly type = 'sms';
  readonly configDto = SmsConfigDto;
  readonly secretFields = ['apiKey'] as const;
  readonly registrationDto = SmsRegistrationDto;
  readonly testDto = SmsTestDto;
  readonly outbox: OutboxMessage[] = [];
  /** Makes the gateway refuse, to see OTP_DELIVERY_FAILED. */
  down = false;

  maskDestination(phone: string): string {
    return `${phone.slice(0, 3)}*****${phone.slice(-2)}`;
  }

  /** Phone numbers compare on their digits. */
  override destinationKey(phone: string): string {
    return phone.replace(/\D/g, '');
  }

  destinationOf(registration: object): string {
    return (registration as SmsRegistrationDto).phone;
  }

  testDestination(body: object): string {
    return (body as SmsTestDto).to;
  }

  async sendTest(channel: ResolvedChannel, m: TestMessage): Promise<void> {
    if (this.down) throw new DeliveryError('sms_gateway_unavailable');
    this.outbox.push({
      to: m.to,
      text: `${m.tenantName}: test of the channel ${m.channelName}.`,
      senderId: String(channel.config.senderId),
      apiKey: channel.secrets.apiKey,
    });
  }

  async deliver(channel: ResolvedChannel, m: CodeMessage): Promise<void> {
    if (this.down) throw new DeliveryError('sms_gateway_unavailable');
    this.outbox.push({
      to: m.to,
      text: `${m.tenantName} code: ${m.code}. Valid ${Math.round(m.expiresInSeconds / 60)} min. Not you? Change your password.`,
      senderId: String(channel.config.senderId),
      apiKey: channel.secrets.apiKey,
    });
  }
}
