import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MinLength,
  NotEquals,
  validateSync,
} from 'class-validator';
import { prepareUsername, USERNAME_REFUSAL_MESSAGES } from '../src/common/validation/username';
import { AppConfig, JwtAlgorithm } from './app-config';
import { NumericVariable, numericSetting } from './numeric-variables';

/** Thrown when the environment is invalid; `problems` name the variables. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A host name (`*.` allowed), an IPv4 address, a bare IPv6 address or a bracketed one. */
const HOST_PATTERN =
  '(\\[[0-9a-fA-F:.]+\\]|[0-9a-fA-F]*:[0-9a-fA-F:.]*|[A-Za-z0-9*][A-Za-z0-9.-]*)';
const commaList = (item: string) => new RegExp(`^${item}(\\s*,\\s*${item})*$`);

/** Every variable of API.md's configuration table; unset numeric values take the defaults below. */
export class EnvironmentVariables {
  @IsOptional() @IsString() NODE_ENV?: string;

  @NumericVariable() PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @NumericVariable()
  @NotEquals(5432, { message: 'must not be 5432, the port of a regular PostgreSQL server' })
  EMBEDDED_PG_PORT?: number;

  /** Read by the tests only; validated here so a typo is caught the same way. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  TEST_DATABASE_URL?: string;

  @IsOptional() @Transform(toBool) @IsBoolean() DB_MIGRATE_ON_START?: boolean;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @NumericVariable() WEB_CONCURRENCY?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(\d+|true|false|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'must be a hop count, true/false, or a comma-separated list of IP addresses or CIDRs',
  })
  TRUST_PROXY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http(s) base URL' })
  PUBLIC_URL?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1) PLATFORM_API_KEY?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() JWT_PRIVATE_KEY?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() JWT_PREVIOUS_PUBLIC_KEYS?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1) JWT_ISSUER?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1) JWT_AUDIENCE?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() DATA_ENCRYPTION_KEY?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() DATA_ENCRYPTION_KEYS_PREVIOUS?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() OTP_HASH_KEY?: string;

  @NumericVariable() ACCESS_TOKEN_TTL_SECONDS?: number;
  @NumericVariable() MFA_TOKEN_TTL_SECONDS?: number;
  @NumericVariable() REAUTH_SECONDS?: number;
  @NumericVariable() SESSION_IDLE_TIMEOUT_SECONDS?: number;
  @NumericVariable() SESSION_MAX_AGE_SECONDS?: number;
  @NumericVariable() PASSWORD_MIN_LENGTH?: number;
  @NumericVariable() THROTTLE_IP_PER_MINUTE?: number;
  @NumericVariable() THROTTLE_USER_PER_MINUTE?: number;
  @NumericVariable() THROTTLE_ACCOUNT_FAILURES_PER_HOUR?: number;
  @NumericVariable() HASH_CONCURRENCY?: number;
  @NumericVariable() HASH_QUEUE_MAX?: number;
  @NumericVariable() SMTP_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression with 5 or 6 fields' })
  OTP_PURGE_CRON?: string;

  @NumericVariable() OTP_RETENTION_SECONDS?: number;
  @NumericVariable() AUDIT_RETENTION_DAYS?: number;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(commaList(`${HOST_PATTERN}(:(\\d{1,5}|\\*))?`), {
    message: 'must be a comma-separated list of hosts, host:port or host:*',
  })
  CHANNEL_ALLOWED_HOSTS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(commaList(HOST_PATTERN), {
    message: 'must be a comma-separated list of hosts',
  })
  CHANNEL_PLAINTEXT_HOSTS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    {
      message: 'must be a host name (the SMTP EHLO greeting)',
    },
  )
  SMTP_HELO_NAME?: string;
  /** Webhook hosts tenant admins may configure (comma list, `*.example.com`); unset: any public host. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(commaList(HOST_PATTERN), {
    message: 'must be a comma-separated list of hosts',
  })
  WEBHOOK_ALLOWED_HOSTS?: string;
  @NumericVariable() WEBHOOK_TIMEOUT_MS?: number;
  @NumericVariable() WEBHOOK_RETRY_BASE_MS?: number;
  @NumericVariable() WEBHOOK_POLL_MS?: number;
  @IsOptional() @Transform(toBool) @IsBoolean() UI_ENABLED?: boolean;
  @IsOptional() @Transform(toBool) @IsBoolean() DOCS_ENABLED?: boolean;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, { message: 'METRICS_TOKEN must be at least 32 characters' })
  METRICS_TOKEN?: string;
  @NumericVariable() DEV_MAIL_PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /** json: one JSON object a line (production, tests); pretty: pino-pretty for people. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: 'json' | 'pretty';

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'must be a tenant slug ([a-z0-9-], 2-63 chars)',
  })
  BOOTSTRAP_TENANT?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() BOOTSTRAP_ADMIN_USERNAME?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() BOOTSTRAP_ADMIN_PASSWORD?: string;
}

/** Values generated once outside production (see credentials.ts) fill these when unset. */
export interface GeneratedSecrets {
  PLATFORM_API_KEY: string;
  JWT_PRIVATE_KEY: string;
  DATA_ENCRYPTION_KEY: string;
  OTP_HASH_KEY: string;
  BOOTSTRAP_ADMIN_PASSWORD: string;
}

export const SECRET_VARIABLES = [
  'PLATFORM_API_KEY',
  'JWT_PRIVATE_KEY',
  'DATA_ENCRYPTION_KEY',
  'OTP_HASH_KEY',
] as const;

const PLACEHOLDER = /change[-_ ]?me|changeit|example|placeholder|secret|password|^x+$|^(.)\1*$/i;

/** Validates the raw variables; throws ConfigValidationError naming each bad one. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, { ...raw }, { excludeExtraneousValues: false });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const problems = errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(e.property) ? m : `${e.property}: ${m}`,
    ),
  );
  if (problems.length) throw new ConfigValidationError(problems);
  return env;
}

export function isProduction(env: Pick<EnvironmentVariables, 'NODE_ENV'>): boolean {
  return env.NODE_ENV === 'production';
}

function decodeKey(name: string, value: string, minBytes: number, exactBytes?: number): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new Error(`${name}: must be base64`);
  const buf = Buffer.from(value, 'base64');
  if (exactBytes !== undefined && buf.length !== exactBytes)
    throw new Error(
      `${name}: must be the base64 of exactly ${exactBytes} bytes (got ${buf.length})`,
    );
  if (buf.length < minBytes)
    throw new Error(
      `${name}: must be the base64 of at least ${minBytes} bytes (got ${buf.length})`,
    );
  if (buf.every((b) => b === buf[0])) throw new Error(`${name}: is a weak key (one repeated byte)`);
  return buf;
}

function signingAlgorithm(name: string, key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'ec') {
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error(`${name}: an EC key must be on the P-256 curve`);
    return 'ES256';
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new Error(`${name}: an RSA key must have at least 2048 bits`);
    return 'RS256';
  }
  throw new Error(`${name}: must be an EC P-256 or RSA private key in PEM`);
}

/** PEM from env files often arrives with literal "\n": accept both. */
function pem(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

function splitPems(value: string | undefined): string[] {
  if (!value) return [];
  return (pem(value).match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? []).map(
    (p) => p.trim(),
  );
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim());
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface BuildOptions {
  /** Secrets generated for development, used for whatever the environment leaves unset. */
  generated?: Partial<GeneratedSecrets>;
  /** Where ./.data lives (the working directory by default). */
  cwd?: string;
}

/**
 * Turns validated variables into the AppConfig. In production every secret must be given and
 * strong; elsewhere a missing one is taken from `generated`. Throws ConfigValidationError.
 */
export function buildAppConfig(env: EnvironmentVariables, options: BuildOptions = {}): AppConfig {
  const production = isProduction(env);
  const problems: string[] = [];
  const gen = options.generated ?? {};
  const secret = (name: (typeof SECRET_VARIABLES)[number]): string => {
    const given = env[name];
    if (given) return given;
    if (!production && gen[name]) return gen[name];
    problems.push(
      production
        ? `${name}: is required when NODE_ENV=production`
        : `${name}: is not set and no generated value was provided`,
    );
    return '';
  };
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      problems.push((e as Error).message);
      return fallback;
    }
  };

  const platformApiKey = secret('PLATFORM_API_KEY');
  if (production && platformApiKey) {
    if (platformApiKey.length < 32)
      problems.push('PLATFORM_API_KEY: must be at least 32 characters in production');
    else if (PLACEHOLDER.test(platformApiKey))
      problems.push('PLATFORM_API_KEY: looks like a placeholder, use a random value');
  }

  const jwtPrivateKeyPem = pem(secret('JWT_PRIVATE_KEY'));
  const jwtAlgorithm = jwtPrivateKeyPem
    ? attempt<JwtAlgorithm>(() => {
        let key: KeyObject;
        try {
          key = createPrivateKey(jwtPrivateKeyPem);
        } catch {
          throw new Error('JWT_PRIVATE_KEY: is not a readable PEM private key');
        }
        return signingAlgorithm('JWT_PRIVATE_KEY', key);
      }, 'ES256')
    : 'ES256';
  const jwtPreviousPublicKeysPem = splitPems(env.JWT_PREVIOUS_PUBLIC_KEYS);
  for (const [i, p] of jwtPreviousPublicKeysPem.entries()) {
    attempt(() => {
      try {
        return createPublicKey(p);
      } catch {
        throw new Error(`JWT_PREVIOUS_PUBLIC_KEYS: key #${i + 1} is not a readable PEM public key`);
      }
    }, undefined);
  }

  const dekRaw = secret('DATA_ENCRYPTION_KEY');
  const dataEncryptionKey = dekRaw
    ? attempt(() => decodeKey('DATA_ENCRYPTION_KEY', dekRaw, 32, 32), Buffer.alloc(0))
    : Buffer.alloc(0);
  const previousDataEncryptionKeys = list(env.DATA_ENCRYPTION_KEYS_PREVIOUS).map((k, i) =>
    attempt(() => decodeKey(`DATA_ENCRYPTION_KEYS_PREVIOUS[${i}]`, k, 32, 32), Buffer.alloc(0)),
  );
  const otpRaw = secret('OTP_HASH_KEY');
  const otpHashKey = otpRaw
    ? attempt(() => decodeKey('OTP_HASH_KEY', otpRaw, 32), Buffer.alloc(0))
    : Buffer.alloc(0);

  if (production && !env.DATABASE_URL)
    problems.push('DATABASE_URL: is required when NODE_ENV=production');
  const webConcurrency = numericSetting(env, 'WEB_CONCURRENCY');
  if (production && webConcurrency > 1 && !env.REDIS_URL)
    problems.push(
      'WEB_CONCURRENCY: above 1 needs REDIS_URL in production (throttle limits must be shared)',
    );

  const sessionIdle = numericSetting(env, 'SESSION_IDLE_TIMEOUT_SECONDS');
  const sessionMax = numericSetting(env, 'SESSION_MAX_AGE_SECONDS');
  if (sessionIdle > sessionMax)
    problems.push('SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_MAX_AGE_SECONDS');

  const bootstrapPassword =
    env.BOOTSTRAP_ADMIN_PASSWORD ?? (production ? undefined : gen.BOOTSTRAP_ADMIN_PASSWORD);
  const passwordMinLength = numericSetting(env, 'PASSWORD_MIN_LENGTH');
  if (bootstrapPassword !== undefined && bootstrapPassword.length < passwordMinLength)
    problems.push(`BOOTSTRAP_ADMIN_PASSWORD: must be at least ${passwordMinLength} characters`);

  // Stored, looked up and throttled prepared (RFC 8265): the bootstrap admin too.
  const adminUsername = prepareUsername(env.BOOTSTRAP_ADMIN_USERNAME ?? 'admin');
  if (!adminUsername.ok)
    problems.push(`BOOTSTRAP_ADMIN_USERNAME: ${USERNAME_REFUSAL_MESSAGES[adminUsername.reason]}`);

  if (problems.length) throw new ConfigValidationError(problems);

  const cores = availableParallelism();
  const hashConcurrency = env.HASH_CONCURRENCY ?? 2 * cores;
  return {
    runtime: { nodeEnv: env.NODE_ENV ?? 'development', production, webConcurrency },
    http: {
      port: numericSetting(env, 'PORT'),
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      corsOrigins: list(env.CORS_ORIGINS),
      uiEnabled: env.UI_ENABLED ?? !production,
      bodyLimitBytes: 1024 * 1024,
      docsEnabled: env.DOCS_ENABLED ?? !production,
      metricsToken: env.METRICS_TOKEN,
    },
    database: {
      url: env.DATABASE_URL,
      embeddedPort: numericSetting(env, 'EMBEDDED_PG_PORT'),
      dataDir: path.resolve(options.cwd ?? process.cwd(), '.data'),
      migrateOnStart: env.DB_MIGRATE_ON_START ?? true,
      poolSize: 10,
    },
    auth: {
      platformApiKey,
      jwtPrivateKeyPem,
      jwtAlgorithm,
      jwtPreviousPublicKeysPem,
      issuer: env.JWT_ISSUER ?? 'efcx-2fa',
      audience: env.JWT_AUDIENCE ?? 'efcx',
      accessTokenTtlSeconds: numericSetting(env, 'ACCESS_TOKEN_TTL_SECONDS'),
      mfaTokenTtlSeconds: numericSetting(env, 'MFA_TOKEN_TTL_SECONDS'),
      reauthSeconds: numericSetting(env, 'REAUTH_SECONDS'),
      sessionIdleTimeoutSeconds: sessionIdle,
      sessionMaxAgeSeconds: sessionMax,
      passwordMinLength,
      hashConcurrency,
      // v1.1 §13: a login accepted under overload waits a few hash times, not seconds.
      hashQueueMax: env.HASH_QUEUE_MAX ?? 4 * hashConcurrency,
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    },
    crypto: { dataEncryptionKey, previousDataEncryptionKeys, otpHashKey },
    throttle: {
      ipPerMinute: numericSetting(env, 'THROTTLE_IP_PER_MINUTE'),
      userPerMinute: numericSetting(env, 'THROTTLE_USER_PER_MINUTE'),
      accountFailuresPerHour: numericSetting(env, 'THROTTLE_ACCOUNT_FAILURES_PER_HOUR'),
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: 'efcx:rl:',
    },
    otp: {
      purgeCron: env.OTP_PURGE_CRON ?? '*/5 * * * *',
      retentionSeconds: numericSetting(env, 'OTP_RETENTION_SECONDS'),
    },
    mail: {
      smtpTimeoutMs: numericSetting(env, 'SMTP_TIMEOUT_MS'),
      channelAllowedHosts: list(env.CHANNEL_ALLOWED_HOSTS),
      channelPlaintextHosts: list(env.CHANNEL_PLAINTEXT_HOSTS),
      smtpHeloName: env.SMTP_HELO_NAME ?? null,
      devMailPort: numericSetting(env, 'DEV_MAIL_PORT'),
      devInbox: !production,
    },
    audit: { retentionDays: numericSetting(env, 'AUDIT_RETENTION_DAYS') },
    webhooks: {
      allowedHosts: list(env.WEBHOOK_ALLOWED_HOSTS),
      timeoutMs: numericSetting(env, 'WEBHOOK_TIMEOUT_MS'),
      retryBaseMs: numericSetting(env, 'WEBHOOK_RETRY_BASE_MS'),
      pollMs: numericSetting(env, 'WEBHOOK_POLL_MS'),
    },
    log: {
      level: env.LOG_LEVEL ?? 'info',
      // JSON for machines (production, and the tests, which read it); pretty for people.
      format: env.LOG_FORMAT ?? (production || env.NODE_ENV === 'test' ? 'json' : 'pretty'),
    },
    bootstrap: {
      tenant: env.BOOTSTRAP_TENANT ?? (production ? undefined : 'demo'),
      adminUsername: adminUsername.ok ? adminUsername.username : 'admin',
      adminPassword: bootstrapPassword,
    },
  };
}
