import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { User } from './entities/user.entity';
import { UserTwoFactor } from './entities/user-two-factor.entity';
import { TwoFactorRegistrationsService } from './two-factor-registrations.service';
import { PasswordHasher } from './password-hasher.service';
import { UserCredentialsService } from './user-credentials.service';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserTwoFactor]), AuditModule],
  providers: [UsersService, UserCredentialsService, PasswordHasher, TwoFactorRegistrationsService],
  exports: [UsersService, UserCredentialsService, TwoFactorRegistrationsService],
})
export class UsersModule {}
