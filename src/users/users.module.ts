import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { User } from './entities/user.entity';
import { UserTwoFactor } from './entities/user-two-factor.entity';
import { TwoFactorRegistrationsService } from './two-factor-registrations.service';
import { PasswordHasher } from './password-hasher.service';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserTwoFactor]), AuditModule],
  providers: [UsersService, PasswordHasher, TwoFactorRegistrationsService],
  exports: [UsersService, TwoFactorRegistrationsService],
})
export class UsersModule {}
