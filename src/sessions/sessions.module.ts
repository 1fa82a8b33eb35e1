import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { RefreshToken } from './entities/refresh-token.entity';
import { RefreshSession } from './entities/refresh-session.entity';
import { Device } from './entities/device.entity';
import { DevicePurgeJob } from './device-purge.job';
import { RememberedDevices } from './remembered-devices.service';
import { SessionPurgeJob } from './session-purge.job';
import { SessionsService } from './sessions.service';

/**
 * Refresh-token sessions and remembered devices. A module of its own (not inside auth) because users and tenants end
 * sessions in the same transaction as the change that ends them, and auth depends on both.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RefreshSession, RefreshToken, Device]), AuditModule],
  providers: [SessionsService, SessionPurgeJob, RememberedDevices, DevicePurgeJob],
  exports: [SessionsService, RememberedDevices],
})
export class SessionsModule {}
