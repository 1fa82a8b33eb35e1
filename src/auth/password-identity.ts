/** A user whose password was just verified (stage 1 passed). */
export interface PasswordIdentity {
  userId: string;
  tenantId: string;
  tenantSlug: string;
  username: string;
  tenantName: string;
  roles: string[];
  passwordVersion: number;
  twoFactorVersion: number;
}
