import { Module, OnModuleInit } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ChannelAdminService } from './channel-admin.service';
import { ChannelSecrets } from './channel-secrets';
import { MessagesModule } from '../messages/messages.module';
import { ChannelTester } from './channel-tester.service';
import { ChannelsRepository } from './channels.repository';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { Channel } from './entities/channel.entity';
import { ChannelProviderRegistry } from './providers/channel-provider.registry';
import { AuthenticatorChannelProvider } from './providers/authenticator/authenticator-channel.provider';
import { EmailChannelProvider } from './providers/email/email-channel.provider';

@Module({
  imports: [
    TypeOrmModule.forFeature([Channel]),
    // No default transport: each email channel gets its own, built from its stored settings.
    MailerModule.forRoot({ transports: {} }),
    AuditModule,
    MessagesModule,
  ],
  controllers: [ChannelsController],
  providers: [
    ChannelsService,
    ChannelAdminService,
    ChannelsRepository,
    ChannelSecrets,
    ChannelTester,
    ChannelProviderRegistry,
    EmailChannelProvider,
    AuthenticatorChannelProvider,
  ],
  exports: [ChannelsService, ChannelAdminService, ChannelProviderRegistry],
})
export class ChannelsModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelProviderRegistry,
    private readonly email: EmailChannelProvider,
    private readonly authenticator: AuthenticatorChannelProvider,
  ) {}

  /** The built-in channel types: a new one is a provider class and one line here. */
  onModuleInit(): void {
    this.registry.register(this.email);
    this.registry.register(this.authenticator);
  }
}
