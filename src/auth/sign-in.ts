import { MessageRecipient } from '../channels/providers/channel-provider';
import { OtpPolicy, SignInRef } from '../otp/otp.types';
import { TwoFactorSettings } from '../tenants/tenant-settings.service';
import { PendingSignIn } from './entities/pending-sign-in.entity';
import type { MfaAuthenticated } from './strategies/mfa-token.strategy';

/** A pending sign-in as the second-factor services see it: pure helpers, no I/O. */

/** The OTP rules a sign-in keeps from the tenant's settings when it opens. */
export function policyOf(settings: TwoFactorSettings): OtpPolicy {
  return {
    ...settings.otp,
    lockoutMaxConsecutiveFailures: settings.lockout.maxConsecutiveFailures,
    lockoutDurationSeconds: settings.lockout.durationSeconds,
  };
}

export interface SignIn {
  session: PendingSignIn;
  tenantName: string;
  /** Who the sign-in's mails are for (name, locale), read with the sign-in: no extra query. */
  recipient: MessageRecipient;
}

/** The sign-in of an mfa token's request, with who its mails are for. */
export function signInOf(auth: MfaAuthenticated): SignIn {
  return {
    session: auth.session,
    tenantName: auth.tenant.name,
    recipient: {
      username: auth.user.username,
      displayName: auth.user.displayName,
      locale: { user: auth.user.locale, tenant: auth.tenant.defaultLocale },
    },
  };
}

/** When no channel can reach the user's other factor, only a recovery code proves it. */
export const RECOVERY_CODE_PROOF = 'recovery_code';

/** A sign-in whose proof (v1.1 §4) is still to come: register waits for it. */
export function proofPending(session: PendingSignIn): boolean {
  return session.proofType !== null && session.provenAt === null;
}

/** What otp needs to know of a sign-in. */
export function signInRef(session: PendingSignIn): SignInRef {
  return {
    tenantId: session.tenantId,
    userId: session.userId,
    signInId: session.id,
    purpose: session.purpose,
    policy: session.policy,
    notAfter: session.expiresAt,
  };
}

/** A sign-in of a locked account that no recovery code has finished or proven yet. */
export function recoveryOnly(signIn: PendingSignIn): boolean {
  return signIn.recoveryOnly && signIn.provenAt === null;
}
