import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ChannelsModule } from '../channels/channels.module';
import { TenantSettingsController } from './tenant-settings.controller';
import { TenantSettingsService } from './tenant-settings.service';
import { UsersModule } from '../users/users.module';
import { TenantTwoFactorSettings } from './entities/tenant-2fa-settings.entity';
import { Tenant } from './entities/tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([Tenant, TenantTwoFactorSettings]),
    UsersModule,
    ChannelsModule,
    AuditModule,
    SessionsModule,
  ],
  controllers: [TenantsController, TenantSettingsController],
  providers: [TenantsService, TenantSettingsService],
  exports: [TenantsService, TenantSettingsService],
})
export class TenantsModule {}
