/** The closed list of audit event types of API.md. */
export enum AuditEventType {
  LOGIN_SUCCEEDED = 'LOGIN_SUCCEEDED',
  LOGIN_FAILED = 'LOGIN_FAILED',
  OTP_SENT = 'OTP_SENT',
  OTP_DELIVERY_FAILED = 'OTP_DELIVERY_FAILED',
  OTP_VERIFIED = 'OTP_VERIFIED',
  OTP_FAILED = 'OTP_FAILED',
  OTP_EXPIRED = 'OTP_EXPIRED',
  OTP_ATTEMPTS_EXCEEDED = 'OTP_ATTEMPTS_EXCEEDED',
  OTP_RESEND_REFUSED = 'OTP_RESEND_REFUSED',
  TWO_FACTOR_LOCKED = 'TWO_FACTOR_LOCKED',
  TWO_FACTOR_REGISTERED = 'TWO_FACTOR_REGISTERED',
  TWO_FACTOR_RESET = 'TWO_FACTOR_RESET',
  TWO_FACTOR_UNLOCKED = 'TWO_FACTOR_UNLOCKED',
  SESSION_REFRESHED = 'SESSION_REFRESHED',
  SESSION_REVOKED = 'SESSION_REVOKED',
  SETTINGS_CHANGED = 'SETTINGS_CHANGED',
  CHANNEL_CHANGED = 'CHANNEL_CHANGED',
  CHANNEL_TESTED = 'CHANNEL_TESTED',
  USER_CREATED = 'USER_CREATED',
  USER_UPDATED = 'USER_UPDATED',
  USER_DELETED = 'USER_DELETED',
  TENANT_CHANGED = 'TENANT_CHANGED',
  LOGIN_THROTTLED = 'LOGIN_THROTTLED',
  WEBHOOK_CHANGED = 'WEBHOOK_CHANGED',
  RECOVERY_CODE_USED = 'RECOVERY_CODE_USED',
  TEMPLATE_CHANGED = 'TEMPLATE_CHANGED',
  DEVICE_REMEMBERED = 'DEVICE_REMEMBERED',
  DEVICE_REVOKED = 'DEVICE_REVOKED',
}

/**
 * What `data` holds per type (documented in /docs). Never a code, password, token or secret.
 * LOGIN_FAILED.reason: unknown_user | wrong_password | user_disabled | tenant_disabled.
 */
export const AUDIT_DATA_DOC: Record<AuditEventType, string> = {
  LOGIN_SUCCEEDED:
    '{ amr: string[], acr, sessionId, deviceId } — signed in (amr ["pwd"] when 2FA is off or a remembered device skipped it: acr "pwd" / "2fa-remembered"); sessionId is the tokens\' sid, deviceId the device of the answer\'s deviceToken',
  LOGIN_FAILED:
    '{ reason: "unknown_user" | "wrong_password" | "user_disabled" | "tenant_disabled", username }',
  OTP_SENT: '{ channel, destination (masked), purpose: "login" | "register", challengeId }',
  OTP_DELIVERY_FAILED: '{ channel, reason: "smtp_timeout" | "smtp_rejected" | ..., challengeId }',
  OTP_VERIFIED: '{ channel, purpose }',
  OTP_FAILED: '{ reason: "wrong" | "used" | "superseded" | "no_code" | "replay", attempts }',
  OTP_EXPIRED: '{ challengeId }',
  OTP_ATTEMPTS_EXCEEDED: '{ challengeId | mfaSessionId }',
  OTP_RESEND_REFUSED: '{ reason: "cooldown" | "resend_limit" | "locked", retryAfterSeconds? }',
  TWO_FACTOR_LOCKED: '{ until, consecutiveFailures }',
  TWO_FACTOR_REGISTERED: '{ channelType, destination }',
  TWO_FACTOR_RESET: '{ channelTypes: string[] }',
  TWO_FACTOR_UNLOCKED: '{}',
  SESSION_REFRESHED: '{ sessionId }',
  SESSION_REVOKED:
    'one session: { sessionId, reason: "logout" | "reuse" | "idle_timeout" | "max_age" | "user_disabled" | "tenant_disabled" }; ' +
    'all of a user\'s: { sessionIds, reason: "user_disabled" | "password_changed" | "two_factor_reset" }; ' +
    'a user\'s others after a self-service factor change: { sessionIds, reason: "two_factor_changed" }; ' +
    'all of a tenant\'s: { sessions (count), reason: "tenant_disabled" }',
  SETTINGS_CHANGED: '{ changes: { field: { from, to } } }',
  CHANNEL_CHANGED: '{ channelId, action: "created" | "updated" | "deleted", changes }',
  CHANNEL_TESTED:
    '{ channelId, ok: boolean, reason: null | "smtp_tls_unavailable" | "smtp_tls_failed" | ... } — a POST …/channels/{id}/test',
  USER_CREATED: '{ username, roles }',
  USER_UPDATED:
    '{ changes: string[] } — names of the changed fields, never a password; the PRECIS migration ' +
    'adds { reason: "username_collision", previousUsername, username, collidesWith }',
  USER_DELETED: '{ username }',
  TENANT_CHANGED: '{ action: "created" | "updated", changes }',
  LOGIN_THROTTLED:
    '{ reason: "account_failures", username?, limitPerHour } — the account passed ' +
    'THROTTLE_ACCOUNT_FAILURES_PER_HOUR wrong passwords in an hour; its logins answer 429 until the ' +
    'hour ends. Once per hour and account; username only when the account exists',
  WEBHOOK_CHANGED:
    '{ webhookId, action: "created" | "updated" | "deleted" | "secret_rotated" | "disabled", host, events, enabled, changes?, reason? } — "disabled" (reason "gone") is the service\'s own, after a 410 (actor platform); never the secret, nor the URL\'s path or query',
  RECOVERY_CODE_USED:
    '{ remaining, purpose: "login" | "proof" } — a recovery code signed the user in or proved a factor (never the code)',
  TEMPLATE_CHANGED:
    '{ kind, locale, action: "saved" | "deleted" } — a tenant email template set or removed (back to the built-in); never the template text',
  DEVICE_REMEMBERED:
    '{ deviceId, rememberedUntil, channel, purpose } — a verify with rememberDevice: true remembered the browser (never its token)',
  DEVICE_REVOKED:
    '{ deviceId, reason: "user" | "admin" } for one device; { deviceIds, reason } for all of a user\'s (e.g. "two_factor_changed")',
};
