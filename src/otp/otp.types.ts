import type { EntityManager } from 'typeorm';
import type { UsableChannel } from '../channels/channels.service';
import type { ChallengePurpose } from './entities/otp-challenge.entity';

/** The OTP settings a sign-in follows (copied from the tenant's settings when it began). */
export interface CodePolicy {
  length: number;
  ttlSeconds: number;
  resendCooldownSeconds: number;
  maxAttempts: number;
  lockoutMaxConsecutiveFailures: number;
  lockoutDurationSeconds: number;
}

export type Delivery = 'SENT' | 'ALREADY_SENT' | 'COOLDOWN' | 'FAILED';

export interface IssueRequest {
  tenantId: string;
  tenantName: string;
  userId: string;
  mfaSessionId: string;
  purpose: ChallengePurpose;
  channel: UsableChannel;
  destination: string;
  policy: CodePolicy;
  /** Rule 1: a code never outlives the mfa token it was sent for. */
  notAfter: Date;
  ip: string;
  userAgent: string | null;
  /**
   * `login`: inside the cooldown the answer is ALREADY_SENT or COOLDOWN;
   * `resend` (resend, or a further register): inside the cooldown, 429 OTP_RESEND_COOLDOWN.
   */
  mode: 'login' | 'resend';
  /**
   * Counts the code against the sign-in's quota, in the issuing transaction, once the cooldown is
   * claimed; false refuses it (OTP_RESEND_LIMIT). `release` gives it back after a failed delivery.
   */
  reserve?: (m: EntityManager) => Promise<boolean>;
  release?: () => Promise<void>;
}

export interface IssueResult {
  delivery: Delivery;
  /** The live code's expiry (SENT, ALREADY_SENT). */
  expiresAt?: Date;
  resendAvailableAt: Date;
  /** FAILED: the exact reason (audit only). */
  failureReason?: string;
}

export type VerifyOutcome =
  'ok' | 'wrong' | 'used' | 'superseded' | 'no_code' | 'expired' | 'attempts_exceeded' | 'locked';

export interface VerifyResult {
  outcome: VerifyOutcome;
  challengeId: string | null;
  /** The confirmed address (register) or the address the code went to. */
  destination: string | null;
  /** This attempt used up the code's attempts. */
  exhausted: boolean;
  consecutiveFailures: number;
  /** Set when the account's 2FA step is (now) locked. */
  lockedUntil: Date | null;
  /** This attempt locked the account. */
  lockedNow: boolean;
}

export interface TwoFactorStateView {
  consecutiveFailures: number;
  lockedUntil: Date | null;
}
