import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Sql } from 'sql-template-tag';
import { cryptoConfig } from '../../config/app-config';
import {
  ChannelProvider,
  isAppProvider,
  isCodeProvider,
  ResolvedChannel,
} from '../channels/providers/channel-provider';
import { CodeHasher } from '../common/crypto/code-hasher';
import { requireTenant } from '../database/query-guards';
import { SignInRef } from './otp.types';
import { judgeSecondFactor } from './second-factor.statement';

/** What the user typed at verify, with what it is checked against. */
export interface SecondFactorInput {
  signIn: SignInRef;
  /** null: a kind with no provider here (a recovery code before that issue lands): no code. */
  provider: ChannelProvider | null;
  /** App channels: the channel (its window); code channels need none. */
  channel: ResolvedChannel | null;
  code: string;
  /** App channels: the enrolled (or, during registration, offered) secret; null: none. */
  enrolled: { secret: string; params: Record<string, string | number> } | null;
}

/**
 * Judges every second-factor input, for every channel type, in one place: a code channel's code
 * by its keyed hash, an app's code by its time step, then the rules of API.md (attempts per
 * sign-in, the account lock and its ceiling, replay, the binding to the sign-in) in the statement
 * of `judgeSecondFactor`. Anything that is not the exact code (other length, spaces, letters) is
 * a wrong code: it counts, and is never normalised into a try.
 */
@Injectable()
export class SecondFactorVerifier {
  private readonly hasher: CodeHasher;

  constructor(@Inject(cryptoConfig.KEY) crypto: ConfigType<typeof cryptoConfig>) {
    this.hasher = new CodeHasher(crypto.otpHashKey);
  }

  /** The judging CTEs for this input; the caller runs them with what a success does besides. */
  async judge(input: SecondFactorInput): Promise<Sql> {
    const { signIn, provider, code } = input;
    requireTenant(signIn.tenantId);
    let codeHash: Buffer | null = null;
    let step: number | null = null;
    if (provider === null) codeHash = null;
    else if (isCodeProvider(provider)) codeHash = this.hasher.hash(signIn.userId, code);
    else if (isAppProvider(provider) && input.enrolled && input.channel)
      step = await provider.check(
        input.enrolled.secret,
        input.enrolled.params,
        code,
        input.channel,
      );
    return judgeSecondFactor({
      tenantId: signIn.tenantId,
      userId: signIn.userId,
      signInId: signIn.signInId,
      purpose: signIn.purpose,
      codeHash,
      step,
      lockoutMaxConsecutiveFailures: signIn.policy.lockoutMaxConsecutiveFailures,
      lockoutDurationSeconds: signIn.policy.lockoutDurationSeconds,
    });
  }
}
