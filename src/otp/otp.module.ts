import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { OtpChallenge } from './entities/otp-challenge.entity';
import { TwoFactorState } from './entities/two-factor-state.entity';
import { OtpIssuer } from './otp-issuer.service';
import { OtpPurgeJob } from './otp-purge.job';
import { RecoveryCode } from './entities/recovery-code.entity';
import { RecoveryCodesService } from './recovery-codes.service';
import { SecondFactorVerifier } from './second-factor-verifier.service';
import { TwoFactorStateService } from './two-factor-state.service';

@Module({
  imports: [TypeOrmModule.forFeature([OtpChallenge, TwoFactorState, RecoveryCode]), ChannelsModule],
  providers: [
    OtpIssuer,
    SecondFactorVerifier,
    TwoFactorStateService,
    RecoveryCodesService,
    OtpPurgeJob,
  ],
  exports: [OtpIssuer, SecondFactorVerifier, TwoFactorStateService, RecoveryCodesService],
})
export class OtpModule {}
