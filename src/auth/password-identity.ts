/** A user whose password was just verified (stage 1 passed). */
export interface PasswordIdentity {
  userId: string;
  tenantId: string;
  tenantSlug: string;
  username: string;
  displayName: string | null;
  /** The user's locale (or null) and the tenant's default: the language of the user's mails. */
  userLocale: string | null;
  tenantLocale: string;
  tenantName: string;
  roles: string[];
  passwordVersion: number;
  twoFactorVersion: number;
}
