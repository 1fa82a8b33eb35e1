import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, configFactories } from '../config/app-config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ChannelsModule } from './channels/channels.module';
import { MessagesModule } from './messages/messages.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { buildLoggerOptions } from './common/http/logging';
import { createValidationPipe } from './common/validation/validation';
import { buildTypeOrmOptions } from './database/typeorm-options';
import { DevInboxModule } from './dev-inbox/dev-inbox.module';
import { UiModule } from './ui/ui.module';
import { ObservabilityModule } from './observability/observability.module';
import { StartupService } from './startup/startup.service';
import { TenantsModule } from './tenants/tenants.module';
import { ThrottlingModule } from './throttling/throttling.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  /** Where JSON logs go (stdout by default); tests capture them to check redaction. */
  logStream?: DestinationStream;
}

@Module({})
export class AppModule {
  /** The whole service for one configuration (built and validated by config/environment.ts). */
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const databaseUrl = config.database.url;
    if (!databaseUrl) throw new Error('database.url must be resolved before the app is created');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: configFactories(config),
        }),
        LoggerModule.forRoot(
          buildLoggerOptions(config.log.level, options.logStream, config.log.format),
        ),
        TypeOrmModule.forRoot({
          ...buildTypeOrmOptions(databaseUrl, config.database.poolSize),
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        // Every purge job registers its cron job here (SchedulerRegistry), stopped at shutdown.
        ScheduleModule.forRoot(),
        ObservabilityModule,
        CryptoModule,
        ThrottlingModule,
        AuditModule,
        UsersModule,
        TenantsModule,
        AuthModule,
        ChannelsModule,
        MessagesModule,
        WebhooksModule,
        ...(config.runtime.production ? [] : [DevInboxModule]),
        ...(config.http.uiEnabled ? [UiModule] : []),
      ],
      providers: [
        StartupService,
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
