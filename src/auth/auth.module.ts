import { MeRecoveryCodes } from './me-recovery-codes.service';
import { MeTwoFactor } from './me-two-factor.service';
import { MeTwoFactorController } from './me-two-factor.controller';
import { RecentSecondFactorGuard } from './guards/recent-second-factor.guard';
import { RecoveryNotices } from './recovery-notices.service';
import { AccountLimitExemption, DeviceTokenExemption } from './account-limit-exemption';
import { DevicesView } from './devices-view.service';
import { AdminDevicesController, MyDevicesController } from './devices.controller';
import { BearerLookup } from './bearer-lookup.service';
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
import {
  AccessTokenPassportGuard,
  LoginGuard,
  MfaTokenPassportGuard,
} from './guards/passport-guards';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { OtpModule } from '../otp/otp.module';
import { AdminTwoFactorController } from './admin-two-factor.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { AdminTwoFactorService } from './admin-two-factor.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { MfaSubjectRateGuard } from './guards/mfa-subject-rate.guard';
import { PendingSignInPurgeJob } from './pending-sign-in-purge.job';
import { PendingSignInsService } from './pending-sign-ins.service';
import { MfaTokenStrategy } from './strategies/mfa-token.strategy';
import { LoginContextReader } from './login-context.service';
import { SignInCodes } from './sign-in-codes.service';
import { SignInRegistration } from './sign-in-registration.service';
import { TwoFactorLoginService } from './two-factor-login.service';
import { RecoveryCodeVerifier } from './recovery-code-verifier.service';
import { TwoFactorVerifier } from './two-factor-verifier.service';
import { VerifiedSignIn } from './verified-sign-in.service';
import { TwoFactorController } from './two-factor.controller';
import { JwksController } from './jwks.controller';
import { SigningKeys } from './signing-keys.service';
import { AccessTokenStrategy } from './strategies/access-token.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { TokensService } from './tokens.service';
import { AuthRateGuard } from '../throttling/auth-rate.guard';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionTokensService } from './session-tokens.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    TypeOrmModule.forFeature([PendingSignIn]),
    TenantsModule,
    UsersModule,
    ChannelsModule,
    OtpModule,
    AuditModule,
    SessionsModule,
  ],
  controllers: [
    AuthController,
    MeTwoFactorController,
    JwksController,
    TwoFactorController,
    AdminUsersController,
    AdminTwoFactorController,
    MyDevicesController,
    AdminDevicesController,
  ],
  providers: [
    RecoveryNotices,
    MeRecoveryCodes,
    MeTwoFactor,
    RecentSecondFactorGuard,
    AuthService,
    TokensService,
    SessionTokensService,
    SigningKeys,
    LocalStrategy,
    AccessTokenStrategy,
    AccessTokenPassportGuard,
    MfaTokenStrategy,
    MfaTokenPassportGuard,
    PendingSignInsService,
    TwoFactorLoginService,
    RecoveryCodeVerifier,
    VerifiedSignIn,
    SignInCodes,
    SignInRegistration,
    LoginContextReader,
    TwoFactorVerifier,
    BearerLookup,
    AdminTwoFactorService,
    AdminUsersService,
    MfaSubjectRateGuard,
    PendingSignInPurgeJob,
    LoginGuard,
    DevicesView,
    // v1.1 §9: a live device token of the account exempts its login from the account limit.
    { provide: AccountLimitExemption, useClass: DeviceTokenExemption },
    // Global guards run in this order: the IP throttle first (it also counts requests that fail
    // authentication), then default-deny authentication.
    { provide: APP_GUARD, useClass: AuthRateGuard },
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
})
export class AuthModule {}
