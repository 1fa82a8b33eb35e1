import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './guards/authentication.guard';
import { AccessTokenPassportGuard, LoginGuard } from './guards/passport-guards';
import { JwksController } from './jwks.controller';
import { SigningKeys } from './signing-keys.service';
import { AccessTokenStrategy } from './strategies/access-token.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { TokensService } from './tokens.service';
import { AuthRateGuard } from '../throttling/auth-rate.guard';

@Module({
  imports: [PassportModule, JwtModule.register({}), TenantsModule, UsersModule, AuditModule],
  controllers: [AuthController, JwksController],
  providers: [
    AuthService,
    TokensService,
    SigningKeys,
    LocalStrategy,
    AccessTokenStrategy,
    AccessTokenPassportGuard,
    LoginGuard,
    // Global guards run in this order: the IP throttle first (it also counts requests that fail
    // authentication), then default-deny authentication.
    { provide: APP_GUARD, useClass: AuthRateGuard },
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
})
export class AuthModule {}
