import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { OtpChallenge } from './entities/otp-challenge.entity';
import { TwoFactorState } from './entities/two-factor-state.entity';
import { OtpIssuer } from './otp-issuer.service';
import { OtpPurgeJob } from './otp-purge.job';
import { OtpVerifier } from './otp-verifier.service';
import { TwoFactorStateService } from './two-factor-state.service';

@Module({
  imports: [TypeOrmModule.forFeature([OtpChallenge, TwoFactorState]), ChannelsModule],
  providers: [OtpIssuer, OtpVerifier, TwoFactorStateService, OtpPurgeJob],
  exports: [OtpIssuer, OtpVerifier, TwoFactorStateService],
})
export class OtpModule {}
