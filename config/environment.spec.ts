import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { generateCredentials } from './credentials';
import { buildAppConfig, ConfigValidationError, validateEnvironment } from './environment';

const gen = generateCredentials();

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigValidationError');
}

const strongProduction = () => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db.internal:5432/efcx',
  PLATFORM_API_KEY: randomBytes(32).toString('base64url'),
  JWT_PRIVATE_KEY: gen.JWT_PRIVATE_KEY,
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  OTP_HASH_KEY: randomBytes(32).toString('base64'),
});

describe('environment', () => {
  it('gives the development defaults of API.md', () => {
    const cfg = buildAppConfig(validateEnvironment({}), { generated: gen });
    expect(cfg.http.port).toBe(3000);
    expect(cfg.database.embeddedPort).toBe(54329);
    expect(cfg.database.migrateOnStart).toBe(true);
    expect(cfg.auth.accessTokenTtlSeconds).toBe(900);
    expect(cfg.auth.mfaTokenTtlSeconds).toBe(600);
    expect(cfg.auth.sessionIdleTimeoutSeconds).toBe(3600);
    expect(cfg.auth.sessionMaxAgeSeconds).toBe(43200);
    expect(cfg.auth.passwordMinLength).toBe(12);
    expect(cfg.auth.issuer).toBe('efcx-2fa');
    expect(cfg.auth.audience).toBe('efcx');
    expect(cfg.auth.jwtAlgorithm).toBe('ES256');
    expect(cfg.throttle.ipPerMinute).toBe(6000);
    expect(cfg.throttle.userPerMinute).toBe(20);
    expect(cfg.auth.hashQueueMax).toBe(4 * cfg.auth.hashConcurrency);
    expect(cfg.mail.smtpTimeoutMs).toBe(10000);
    expect(cfg.otp.purgeCron).toBe('*/5 * * * *');
    expect(cfg.otp.retentionSeconds).toBe(3600);
    expect(cfg.audit.retentionDays).toBe(365);
    expect(cfg.http.uiEnabled).toBe(true);
    expect(cfg.http.docsEnabled).toBe(true);
    expect(cfg.http.metricsToken).toBeUndefined();
    expect(cfg.throttle.accountFailuresPerHour).toBe(100);
    expect(cfg.mail.devMailPort).toBe(1025);
    expect(cfg.mail.devInbox).toBe(true);
    expect(cfg.bootstrap).toEqual({
      tenant: 'demo',
      adminUsername: 'admin',
      adminPassword: gen.BOOTSTRAP_ADMIN_PASSWORD,
    });
    expect(cfg.auth.platformApiKey).toBe(gen.PLATFORM_API_KEY);
  });

  it('names every malformed variable', () => {
    const problems = problemsOf(() =>
      validateEnvironment({
        PORT: 'eighty',
        EMBEDDED_PG_PORT: '5432',
        DB_MIGRATE_ON_START: 'maybe',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        THROTTLE_IP_PER_MINUTE: '0',
        TRUST_PROXY: 'everyone',
      }),
    );
    for (const name of [
      'PORT',
      'EMBEDDED_PG_PORT',
      'DB_MIGRATE_ON_START',
      'DATABASE_URL',
      'LOG_LEVEL',
      'THROTTLE_IP_PER_MINUTE',
      'TRUST_PROXY',
    ])
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });

  it('reads the v1.1 §9, §10 and §13 variables', () => {
    const cfg = buildAppConfig(
      validateEnvironment({
        ...strongProduction(),
        DOCS_ENABLED: 'true',
        METRICS_TOKEN: 'm'.repeat(40),
        THROTTLE_ACCOUNT_FAILURES_PER_HOUR: '250',
        BOOTSTRAP_ADMIN_USERNAME: 'ＲＯＯＴ',
      }),
    );
    expect(cfg.http.docsEnabled).toBe(true);
    expect(cfg.http.metricsToken).toBe('m'.repeat(40));
    expect(cfg.throttle.accountFailuresPerHour).toBe(250);
    expect(cfg.bootstrap.adminUsername).toBe('root');
    expect(
      buildAppConfig(validateEnvironment({ DOCS_ENABLED: 'false' }), { generated: gen }).http
        .docsEnabled,
    ).toBe(false);
    const problems = [
      ...problemsOf(() =>
        validateEnvironment({
          METRICS_TOKEN: 'short',
          THROTTLE_ACCOUNT_FAILURES_PER_HOUR: '0',
          DOCS_ENABLED: 'perhaps',
        }),
      ),
      ...problemsOf(() =>
        buildAppConfig(validateEnvironment({ BOOTSTRAP_ADMIN_USERNAME: 'ad\u200bmin' }), {
          generated: gen,
        }),
      ),
    ];
    for (const name of [
      'METRICS_TOKEN',
      'THROTTLE_ACCOUNT_FAILURES_PER_HOUR',
      'DOCS_ENABLED',
      'BOOTSTRAP_ADMIN_USERNAME',
    ])
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });

  it('reads the channel variables of v1.1 §5 and refuses malformed ones', () => {
    const dev = buildAppConfig(validateEnvironment({}), { generated: gen });
    expect(dev.mail.channelPlaintextHosts).toEqual([]);
    expect(dev.mail.smtpHeloName).toBeNull();
    const cfg = buildAppConfig(
      validateEnvironment({
        CHANNEL_ALLOWED_HOSTS: 'smtp.acme.test, relay.corp.test:2526,any.corp.test:*,[fd00::25]:25',
        CHANNEL_PLAINTEXT_HOSTS: 'relay.corp.test',
        SMTP_HELO_NAME: 'mx-out.acme.test',
      }),
      { generated: gen },
    );
    expect(cfg.mail.channelAllowedHosts).toEqual([
      'smtp.acme.test',
      'relay.corp.test:2526',
      'any.corp.test:*',
      '[fd00::25]:25',
    ]);
    expect(cfg.mail.channelPlaintextHosts).toEqual(['relay.corp.test']);
    expect(cfg.mail.smtpHeloName).toBe('mx-out.acme.test');
    const problems = problemsOf(() =>
      validateEnvironment({
        CHANNEL_ALLOWED_HOSTS: 'smtp.acme.test:port',
        CHANNEL_PLAINTEXT_HOSTS: 'a b',
        SMTP_HELO_NAME: 'mx out\r\nMAIL FROM',
      }),
    );
    for (const name of ['CHANNEL_ALLOWED_HOSTS', 'CHANNEL_PLAINTEXT_HOSTS', 'SMTP_HELO_NAME'])
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });

  it('parses TRUST_PROXY as a hop count or a list of addresses', () => {
    expect(
      buildAppConfig(validateEnvironment({ TRUST_PROXY: '2' }), { generated: gen }).http.trustProxy,
    ).toBe(2);
    expect(
      buildAppConfig(validateEnvironment({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }), {
        generated: gen,
      }).http.trustProxy,
    ).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('accepts a complete, strong production environment, with production defaults', () => {
    const cfg = buildAppConfig(validateEnvironment(strongProduction()));
    expect(cfg.runtime.production).toBe(true);
    expect(cfg.http.uiEnabled).toBe(false);
    expect(cfg.http.docsEnabled).toBe(false);
    expect(cfg.mail.devInbox).toBe(false);
    expect(cfg.bootstrap.tenant).toBeUndefined();
  });

  it.each([
    'JWT_PRIVATE_KEY',
    'PLATFORM_API_KEY',
    'DATA_ENCRYPTION_KEY',
    'OTP_HASH_KEY',
    'DATABASE_URL',
  ])('refuses production without %s, naming it, even with generated values at hand', (name) => {
    const env: Record<string, string> = strongProduction();
    delete env[name];
    const problems = problemsOf(() => buildAppConfig(validateEnvironment(env), { generated: gen }));
    expect(problems).toEqual([expect.stringContaining(name)]);
  });

  it.each([
    ['PLATFORM_API_KEY', 'short-key-10'],
    ['PLATFORM_API_KEY', 'changeme-changeme-changeme-changeme'],
    ['PLATFORM_API_KEY', 'a'.repeat(40)],
    ['DATA_ENCRYPTION_KEY', randomBytes(16).toString('base64')],
    ['DATA_ENCRYPTION_KEY', Buffer.alloc(32).toString('base64')],
    ['OTP_HASH_KEY', randomBytes(16).toString('base64')],
    ['JWT_PRIVATE_KEY', 'not a pem'],
    [
      'JWT_PRIVATE_KEY',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ],
    [
      'JWT_PRIVATE_KEY',
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ],
  ])('refuses a weak or malformed %s in production', (name, value) => {
    const problems = problemsOf(() =>
      buildAppConfig(validateEnvironment({ ...strongProduction(), [name]: value })),
    );
    expect(problems).toEqual([expect.stringContaining(name)]);
  });

  it('accepts an RSA 2048 key as RS256, and PEM with literal \\n', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cfg = buildAppConfig(
      validateEnvironment({ ...strongProduction(), JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }),
    );
    expect(cfg.auth.jwtAlgorithm).toBe('RS256');
  });

  it('refuses several workers without Redis in production', () => {
    const problems = problemsOf(() =>
      buildAppConfig(validateEnvironment({ ...strongProduction(), WEB_CONCURRENCY: '3' })),
    );
    expect(problems).toEqual([expect.stringContaining('WEB_CONCURRENCY')]);
  });
});

describe('webhook variables (API.md v1.1 §12, §13)', () => {
  it('default to no host list, 10 s attempts, 10 s first retry and a 1 s poll', () => {
    const cfg = buildAppConfig(validateEnvironment({}), { generated: gen });
    expect(cfg.webhooks).toEqual({
      allowedHosts: [],
      timeoutMs: 10000,
      retryBaseMs: 10000,
      pollMs: 1000,
    });
  });

  it('reads WEBHOOK_ALLOWED_HOSTS as a list and the timings as numbers', () => {
    const cfg = buildAppConfig(
      validateEnvironment({
        WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com, *.hooks.test ,127.0.0.1,[::1]',
        WEBHOOK_TIMEOUT_MS: '2500',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_POLL_MS: '20',
      }),
      { generated: gen },
    );
    expect(cfg.webhooks).toEqual({
      allowedHosts: ['hooks.example.com', '*.hooks.test', '127.0.0.1', '[::1]'],
      timeoutMs: 2500,
      retryBaseMs: 50,
      pollMs: 20,
    });
  });

  it('names each malformed webhook variable', () => {
    const problems = problemsOf(() =>
      validateEnvironment({
        WEBHOOK_ALLOWED_HOSTS: 'https://hooks.example.com/path',
        WEBHOOK_TIMEOUT_MS: 'ten seconds',
        WEBHOOK_RETRY_BASE_MS: '0',
        WEBHOOK_POLL_MS: '-1',
      }),
    );
    for (const name of [
      'WEBHOOK_ALLOWED_HOSTS',
      'WEBHOOK_TIMEOUT_MS',
      'WEBHOOK_RETRY_BASE_MS',
      'WEBHOOK_POLL_MS',
    ])
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });
});

describe('LOG_FORMAT (issue 16: output for people in development, JSON for machines)', () => {
  it('defaults to pretty in development (NODE_ENV unset or development)', () => {
    expect(buildAppConfig(validateEnvironment({}), { generated: gen }).log.format).toBe('pretty');
    expect(
      buildAppConfig(validateEnvironment({ NODE_ENV: 'development' }), { generated: gen }).log
        .format,
    ).toBe('pretty');
  });

  it('defaults to json in production and in the tests (NODE_ENV=test)', () => {
    expect(buildAppConfig(validateEnvironment(strongProduction())).log.format).toBe('json');
    expect(
      buildAppConfig(validateEnvironment({ NODE_ENV: 'test' }), { generated: gen }).log.format,
    ).toBe('json');
  });

  it('takes an explicit json or pretty everywhere, an empty value as unset', () => {
    expect(
      buildAppConfig(validateEnvironment({ LOG_FORMAT: 'json' }), { generated: gen }).log.format,
    ).toBe('json');
    expect(
      buildAppConfig(validateEnvironment({ ...strongProduction(), LOG_FORMAT: 'pretty' })).log
        .format,
    ).toBe('pretty');
    expect(
      buildAppConfig(validateEnvironment({ LOG_FORMAT: '' }), { generated: gen }).log.format,
    ).toBe('pretty');
  });

  it('refuses any other value, naming the variable', () => {
    expect(problemsOf(() => validateEnvironment({ LOG_FORMAT: 'text' }))).toEqual([
      'LOG_FORMAT must be json or pretty',
    ]);
  });
});
