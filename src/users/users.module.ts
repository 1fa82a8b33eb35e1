import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { User } from './entities/user.entity';
import { UserTwoFactor } from './entities/user-two-factor.entity';
import { ChannelsModule } from '../channels/channels.module';
import { OtpModule } from '../otp/otp.module';
import { TwoFactorRegistrationsService } from './two-factor-registrations.service';
import { PasswordHasher } from './password-hasher.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, UserTwoFactor]),
    AuditModule,
    ChannelsModule,
    OtpModule,
    SessionsModule,
  ],
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher, TwoFactorRegistrationsService],
  exports: [UsersService, TwoFactorRegistrationsService],
})
export class UsersModule {}
