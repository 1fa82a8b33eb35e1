import type { Sql } from 'sql-template-tag';
import type { UsableChannel } from '../channels/channels.service';
import type { MessageRecipient } from '../channels/providers/channel-provider';
import type { ChallengePurpose } from './entities/otp-challenge.entity';

/**
 * The OTP settings a sign-in follows, copied from the tenant's settings when it began: every rule
 * of the sign-in (codes, resends, attempts, the account lock) reads this one type.
 */
export interface OtpPolicy {
  length: number;
  ttlSeconds: number;
  resendCooldownSeconds: number;
  maxAttempts: number;
  maxResendsPerLogin: number;
  lockoutMaxConsecutiveFailures: number;
  lockoutDurationSeconds: number;
}

/** NIST SP 800-63B rev 4 §3.2.2 (API.md v1.1 §2): at this many failures the lock has no end. */
export const LOCKOUT_CEILING = 100;

export type Delivery = 'SENT' | 'ALREADY_SENT' | 'COOLDOWN' | 'FAILED';

/** The sign-in a second factor belongs to: the mfa token's jti and what it began with. */
export interface SignInRef {
  tenantId: string;
  userId: string;
  signInId: string;
  purpose: ChallengePurpose;
  policy: OtpPolicy;
  /** Rule 1: nothing of the sign-in outlives its mfa token. */
  notAfter: Date;
}

export interface IssueRequest extends SignInRef {
  tenantName: string;
  /** Who the code mail is for: its name and locale (API.md v1.1 §11). */
  recipient: MessageRecipient;
  channel: UsableChannel;
  destination: string;
  ip: string;
  userAgent: string | null;
  /**
   * `login`: inside the cooldown the answer is ALREADY_SENT or COOLDOWN;
   * `resend` (resend, or a further register): inside the cooldown, 429 OTP_RESEND_COOLDOWN.
   */
  mode: 'login' | 'resend';
  /**
   * The sign-in was created by this very request: it has had no code and no other request knows
   * it, so the code can be claimed and inserted in one statement (the rare races fall back).
   */
  fresh?: boolean;
  /**
   * Written in the statement that marks the code delivered (e.g. the caller's audit rows, as a
   * CTE reading `delivered`): no separate commit for them on the hot path.
   */
  onDelivered?: (challengeId: string) => Sql;
}

export interface IssueResult {
  delivery: Delivery;
  /** The live code's expiry (SENT, ALREADY_SENT). */
  expiresAt?: Date;
  resendAvailableAt: Date;
  /** Codes this sign-in has had (its first included): the resend budget left follows from it. */
  codesSent: number;
  /** FAILED: the exact reason (audit only). */
  failureReason?: string;
}

/**
 * How a second-factor input was judged. `other_sign_in`, `superseded`, `used`, `expired` and
 * `locked` do not count as wrong attempts; `wrong`, `replay` and `no_code` do.
 */
export type VerifyOutcome =
  | 'ok'
  | 'wrong'
  | 'replay'
  | 'no_code'
  | 'used'
  | 'superseded'
  | 'other_sign_in'
  | 'expired'
  | 'attempts_exceeded'
  | 'locked';

export interface Verdict {
  outcome: VerifyOutcome;
  challengeId: string | null;
  /** The address the code went to (a registration's address to store). */
  destination: string | null;
  /** This attempt used up the sign-in's attempts. */
  exhausted: boolean;
  consecutiveFailures: number;
  /** The account's lock after this attempt (null: none, or indefinite). */
  lockedUntil: Date | null;
  lockedIndefinitely: boolean;
  /** This attempt locked the account. */
  lockedNow: boolean;
}

export interface TwoFactorStateView {
  consecutiveFailures: number;
  lockedUntil: Date | null;
  lockedIndefinitely: boolean;
}

/** Further codes a sign-in may still get (rule 6): its first code is free. */
export function resendsRemaining(codesSent: number, maxResends: number): number {
  return Math.max(0, maxResends - Math.max(0, codesSent - 1));
}
