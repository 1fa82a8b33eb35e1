import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** A whole-number variable: its range and its default side by side (no default: computed). */
interface NumericVariable {
  min: number;
  max: number;
  default?: number;
}

/** Every numeric variable of API.md's configuration table, by section. */
export const NUMERIC_VARIABLES = {
  // runtime and HTTP
  PORT: { min: 0, max: 65535, default: 3000 },
  WEB_CONCURRENCY: { min: 1, max: 64, default: 1 },
  // database
  EMBEDDED_PG_PORT: { min: 1024, max: 65535, default: 54329 },
  // tokens, sessions and passwords
  ACCESS_TOKEN_TTL_SECONDS: { min: 60, max: 86400, default: 900 },
  MFA_TOKEN_TTL_SECONDS: { min: 60, max: 3600, default: 600 },
  /** v1.1 §6, §8: how recent the sign-in with a second factor must be for sensitive self-service. */
  REAUTH_SECONDS: { min: 1, max: 86400, default: 600 },
  SESSION_IDLE_TIMEOUT_SECONDS: { min: 1, max: 31 * 86400, default: 3600 },
  SESSION_MAX_AGE_SECONDS: { min: 1, max: 90 * 86400, default: 43200 },
  PASSWORD_MIN_LENGTH: { min: 8, max: 256, default: 12 },
  /** Default: 2 × the cores. */
  HASH_CONCURRENCY: { min: 1, max: 256 },
  /** Default (v1.1 §13): 4 × HASH_CONCURRENCY, so an accepted login waits a few hash times. */
  HASH_QUEUE_MAX: { min: 0, max: 100_000 },
  // throttling
  THROTTLE_IP_PER_MINUTE: { min: 1, max: 10_000_000, default: 6000 },
  THROTTLE_USER_PER_MINUTE: { min: 1, max: 1_000_000, default: 20 },
  THROTTLE_ACCOUNT_FAILURES_PER_HOUR: { min: 1, max: 1_000_000, default: 100 },
  // codes and email
  SMTP_TIMEOUT_MS: { min: 100, max: 120_000, default: 10000 },
  OTP_RETENTION_SECONDS: { min: 0, max: 30 * 86400, default: 3600 },
  DEV_MAIL_PORT: { min: 1, max: 65535, default: 1025 },
  // audit
  AUDIT_RETENTION_DAYS: { min: 1, max: 3650, default: 365 },
  // webhooks
  WEBHOOK_TIMEOUT_MS: { min: 100, max: 120_000, default: 10000 },
  /** The first retry's delay; each further one doubles it (at most an hour). */
  WEBHOOK_RETRY_BASE_MS: { min: 10, max: 3_600_000, default: 10000 },
  /** graphile-worker's pollInterval: how often each instance looks for retries come due. */
  WEBHOOK_POLL_MS: { min: 10, max: 60_000, default: 1000 },
} as const satisfies Record<string, NumericVariable>;

export type NumericVariableName = keyof typeof NUMERIC_VARIABLES;
type WithDefault = {
  [K in NumericVariableName]: (typeof NUMERIC_VARIABLES)[K] extends { default: number } ? K : never;
}[NumericVariableName];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** On a property of EnvironmentVariables: an optional whole number in the range of the table. */
export function NumericVariable(): PropertyDecorator {
  return (target, key) => {
    const { min, max } = NUMERIC_VARIABLES[key as NumericVariableName];
    for (const decorate of [Max(max), Min(min), IsInt(), Transform(toInt), IsOptional()])
      decorate(target, key as string);
  };
}

/** The variable as set, else its default from the table. */
export function numericSetting(
  env: Partial<Record<NumericVariableName, number>>,
  name: WithDefault,
): number {
  return env[name] ?? (NUMERIC_VARIABLES[name] as { default: number }).default;
}
