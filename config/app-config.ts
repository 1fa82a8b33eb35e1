import { registerAs } from '@nestjs/config';

/** The typed, validated configuration of one service instance, built once at start (see environment.ts). */
export interface HttpConfig {
  port: number;
  trustProxy: boolean | number | string[];
  corsOrigins: string[];
  uiEnabled: boolean;
  bodyLimitBytes: number;
  /** DOCS_ENABLED: serve /docs and /docs-json. */
  docsEnabled: boolean;
  /** METRICS_TOKEN: in production /metrics needs `Authorization: Bearer <it>`; unset there: 404. */
  metricsToken: string | undefined;
}

export interface DatabaseConfig {
  /** Resolved connection URL: DATABASE_URL, or the embedded server's once it runs. */
  url: string | undefined;
  embeddedPort: number;
  dataDir: string;
  migrateOnStart: boolean;
  poolSize: number;
}

export type JwtAlgorithm = 'ES256' | 'RS256';

export interface AuthConfig {
  platformApiKey: string;
  jwtPrivateKeyPem: string;
  jwtAlgorithm: JwtAlgorithm;
  jwtPreviousPublicKeysPem: string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  mfaTokenTtlSeconds: number;
  /** REAUTH_SECONDS: a sign-in with a second factor at most this old allows sensitive self-service. */
  reauthSeconds: number;
  sessionIdleTimeoutSeconds: number;
  sessionMaxAgeSeconds: number;
  passwordMinLength: number;
  hashConcurrency: number;
  hashQueueMax: number;
  /** PUBLIC_URL: the service's external base URL (RFC 8414 metadata); null: from the request. */
  publicUrl: string | null;
}

export interface CryptoConfig {
  dataEncryptionKey: Buffer;
  previousDataEncryptionKeys: Buffer[];
  otpHashKey: Buffer;
}

export interface ThrottleConfig {
  ipPerMinute: number;
  userPerMinute: number;
  /** THROTTLE_ACCOUNT_FAILURES_PER_HOUR: wrong passwords per tenant + username, all addresses. */
  accountFailuresPerHour: number;
  redisUrl: string | undefined;
  /** Prefix of the rate counters' Redis keys (set in code, not by the environment; tests use a unique one). */
  redisKeyPrefix: string;
}

export interface OtpConfig {
  purgeCron: string;
  retentionSeconds: number;
}

export interface MailConfig {
  smtpTimeoutMs: number;
  /** CHANNEL_ALLOWED_HOSTS: `host`, `*.suffix`, `host:port` or `host:*` entries. */
  channelAllowedHosts: string[];
  /** CHANNEL_PLAINTEXT_HOSTS: hosts a channel may reach with `tls: "none"` in production. */
  channelPlaintextHosts: string[];
  /** SMTP_HELO_NAME; null: the domain of each channel's `from`. */
  smtpHeloName: string | null;
  devMailPort: number;
  /**
   * Run the development inbox (an SMTP catcher on 127.0.0.1:devMailPort, read at /dev/inbox) and
   * point the bootstrap tenant's 2FA at it. Always false in production; the tests turn it off.
   */
  devInbox: boolean;
}

export interface AuditConfig {
  retentionDays: number;
}

export interface WebhooksConfig {
  /** WEBHOOK_ALLOWED_HOSTS: when set, the only hosts a webhook may name (also inside, also http). */
  allowedHosts: string[];
  timeoutMs: number;
  /** Delay before the first retry; doubled for each further one, at most an hour. */
  retryBaseMs: number;
  /** WEBHOOK_POLL_MS, graphile-worker's pollInterval: how often retries come due are looked for. */
  pollMs: number;
}

export interface LogConfig {
  level: string;
  /** LOG_FORMAT: `json` (production and test default) or `pretty` (development default). */
  format: 'json' | 'pretty';
}

export interface BootstrapConfig {
  tenant: string | undefined;
  adminUsername: string;
  adminPassword: string | undefined;
}

export interface RuntimeConfig {
  nodeEnv: string;
  production: boolean;
  webConcurrency: number;
}

export interface AppConfig {
  runtime: RuntimeConfig;
  http: HttpConfig;
  database: DatabaseConfig;
  auth: AuthConfig;
  crypto: CryptoConfig;
  throttle: ThrottleConfig;
  otp: OtpConfig;
  mail: MailConfig;
  audit: AuditConfig;
  webhooks: WebhooksConfig;
  log: LogConfig;
  bootstrap: BootstrapConfig;
}

export type ConfigSection = keyof AppConfig;

/**
 * Typed tokens per concern, read with `@Inject(authConfig.KEY) cfg: ConfigType<typeof authConfig>`.
 * The values come from the AppConfig the app was created with (see AppModule.forRoot), so two
 * instances with different settings can run in one process (tests do).
 */
function section<K extends ConfigSection>(key: K) {
  return registerAs(key, (): AppConfig[K] => {
    throw new Error(`configuration section "${key}" was read before the app was configured`);
  });
}

export const runtimeConfig = section('runtime');
export const httpConfig = section('http');
export const databaseConfig = section('database');
export const authConfig = section('auth');
export const cryptoConfig = section('crypto');
export const throttleConfig = section('throttle');
export const otpConfig = section('otp');
export const mailConfig = section('mail');
export const auditConfig = section('audit');
export const webhooksConfig = section('webhooks');
export const logConfig = section('log');
export const bootstrapConfig = section('bootstrap');

/** Factories that hand each section of `config` to @nestjs/config under its token. */
export function configFactories(config: AppConfig) {
  return (Object.keys(config) as ConfigSection[]).map((key) => registerAs(key, () => config[key]));
}
