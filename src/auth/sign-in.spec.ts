import { ErrorCode } from '../common/errors/error-code';
import { Verdict } from '../otp/otp.types';
import { TwoFactorSettings } from '../tenants/tenant-settings.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import { policyOf, proofPending, recoveryOnly, signInRef } from './sign-in';
import { refusal } from './verified-sign-in.service';

const settings: TwoFactorSettings = {
  enabled: true,
  channelId: null,
  otp: {
    length: 6,
    ttlSeconds: 300,
    resendCooldownSeconds: 30,
    maxAttempts: 5,
    maxResendsPerLogin: 3,
  },
  lockout: { maxConsecutiveFailures: 10, durationSeconds: 900 },
  recoveryCodes: { enabled: true },
  rememberDevice: { enabled: false, days: 30 },
  updatedAt: new Date(0),
};

function signIn(overrides: Partial<PendingSignIn> = {}): PendingSignIn {
  return Object.assign(new PendingSignIn(), {
    id: 's-1',
    tenantId: 't-1',
    userId: 'u-1',
    purpose: 'login',
    policy: policyOf(settings),
    expiresAt: new Date('2026-12-07T10:00:00Z'),
    proofType: null,
    provenAt: null,
    recoveryOnly: false,
    ...overrides,
  });
}

describe('a pending sign-in', () => {
  it('keeps the OTP rules and the lockout of the settings it opened under', () => {
    expect(policyOf(settings)).toEqual({
      length: 6,
      ttlSeconds: 300,
      resendCooldownSeconds: 30,
      maxAttempts: 5,
      maxResendsPerLogin: 3,
      lockoutMaxConsecutiveFailures: 10,
      lockoutDurationSeconds: 900,
    });
  });

  it('tells otp its id, purpose, policy and end', () => {
    const s = signIn({ purpose: 'register' });
    expect(signInRef(s)).toEqual({
      tenantId: 't-1',
      userId: 'u-1',
      signInId: 's-1',
      purpose: 'register',
      policy: s.policy,
      notAfter: s.expiresAt,
    });
  });

  it('waits for its proof (v1.1 §4) only while one is named and not yet given', () => {
    expect(proofPending(signIn())).toBe(false);
    expect(proofPending(signIn({ proofType: 'email' }))).toBe(true);
    expect(proofPending(signIn({ proofType: 'email', provenAt: new Date() }))).toBe(false);
  });

  it('of a locked account takes a recovery code only until one proved it (v1.1 §6)', () => {
    expect(recoveryOnly(signIn())).toBe(false);
    expect(recoveryOnly(signIn({ recoveryOnly: true }))).toBe(true);
    expect(recoveryOnly(signIn({ recoveryOnly: true, provenAt: new Date() }))).toBe(false);
  });
});

describe('the answer to a refused factor', () => {
  const verdict = (v: Partial<Verdict>): Verdict => ({
    outcome: 'wrong',
    challengeId: null,
    destination: null,
    exhausted: false,
    consecutiveFailures: 1,
    lockedUntil: null,
    lockedIndefinitely: false,
    lockedNow: false,
    ...v,
  });

  it.each([
    // Every reason a code is not the one (the audit log keeps which) answers alike.
    ...(['wrong', 'replay', 'no_code', 'used', 'superseded', 'other_sign_in'] as const).map(
      (outcome) => [{ outcome }, ErrorCode.OTP_INVALID],
    ),
    [{ outcome: 'expired' }, ErrorCode.OTP_EXPIRED],
    [{ outcome: 'attempts_exceeded' }, ErrorCode.OTP_ATTEMPTS_EXCEEDED],
    // The attempt that used up the sign-in says so, although the code itself was wrong.
    [{ outcome: 'wrong', exhausted: true }, ErrorCode.OTP_ATTEMPTS_EXCEEDED],
    [{ outcome: 'locked' }, ErrorCode.TWO_FACTOR_LOCKED],
    // The attempt that locked the account answers with the lock, not with "invalid".
    [{ outcome: 'wrong', lockedNow: true, exhausted: true }, ErrorCode.TWO_FACTOR_LOCKED],
  ] as Array<[Partial<Verdict>, ErrorCode]>)('%j → %s', (v, code) => {
    expect(refusal(verdict(v)).code).toBe(code);
  });

  it('of a timed lock carries Retry-After; of an indefinite one none', () => {
    const until = new Date(Date.now() + 120_000);
    const timed = refusal(verdict({ outcome: 'locked', lockedUntil: until }));
    expect(timed.retryAfterSeconds).toBeGreaterThan(100);
    expect(timed.retryAfterSeconds).toBeLessThanOrEqual(120);
    const forever = refusal(verdict({ outcome: 'locked', lockedIndefinitely: true }));
    expect(forever.retryAfterSeconds).toBeUndefined();
  });
});
