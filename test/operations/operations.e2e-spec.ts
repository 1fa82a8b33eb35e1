import { QueryFailedError } from 'typeorm';
import { ErrorCode } from '../../src/common/errors/error-code';
import { UsersService } from '../../src/users/users.service';
import { Lifecycle } from '../../src/observability/lifecycle.service';
import { createTenant, login } from '../factories/tenants.factory';
import { useTestApp, TestApp } from '../support/test-app';

describe('operations: health, metrics, OpenAPI', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  it('serves liveness and readiness (database up)', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('serves Prometheus text with process metrics and the login counter', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^efcx_process_cpu_seconds_total /m);
    expect(res.text).toContain('# TYPE efcx_logins_total counter');
  });

  it('counts the statements sent to PostgreSQL (round trips per operation, for the benchmarks)', async () => {
    const count = async () => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return Number(/^efcx_db_queries_total (\d+)$/m.exec(text)?.[1]);
    };
    const before = await count();
    await t.http().get('/health/ready').expect(200); // one SELECT 1
    const after = await count();
    expect(after - before).toBe(1);
    await t.http().get('/health/live').expect(200); // no database
    expect(await count()).toBe(after);
  });

  it('documents every route, its auth and every error code it answers in /docs-json', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { description: string }>; security?: unknown[] }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/v1/tenants',
      '/v1/tenants/{slug}',
      '/v1/tenants/{slug}/users',
      '/v1/tenants/{slug}/users/{id}',
      '/v1/tenants/{slug}/audit-events',
      '/v1/auth/login',
      '/v1/auth/me',
      '/.well-known/jwks.json',
      '/health/live',
      '/health/ready',
      '/metrics',
    ])
      expect(paths).toContain(p);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'accessToken',
      'mfaToken',
      'platformKey',
    ]);
    const login = doc.paths['/v1/auth/login'].post.responses;
    expect(login['401'].description).toContain(ErrorCode.INVALID_CREDENTIALS);
    expect(login['400'].description).toContain(ErrorCode.VALIDATION_FAILED);
    // A generated client gets the operation's codes as an enum, Retry-After on 429/503, and
    // public routes declare that they need no credentials.
    const raw = doc as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      servers: unknown[];
      info: { license?: { name: string } };
    };
    const loginOp = raw.paths['/v1/auth/login'].post as {
      security: unknown[];
      responses: Record<string, { headers?: Record<string, unknown>; content: unknown }>;
    };
    expect(loginOp.security).toEqual([]);
    expect(loginOp.responses['429'].headers).toHaveProperty('Retry-After');
    expect(loginOp.responses['503'].headers).toHaveProperty('Retry-After');
    expect(JSON.stringify(loginOp.responses['401'].content)).toContain(
      `"enum":["${ErrorCode.INVALID_CREDENTIALS}"]`,
    );
    expect(raw.servers.length).toBeGreaterThan(0);
    // Each channel type's register body has its own schema; login's outcomes are separate.
    expect(JSON.stringify(raw.paths['/v1/auth/2fa/register'].post.requestBody)).toMatch(
      /EmailRegistrationDto.*AuthenticatorRegistrationBody/,
    );
    expect(JSON.stringify(loginOp.responses['200'])).toContain('LoginTwoFactorRequiredResponse');
    expect(raw.info.license?.name).toBeTruthy();
    const createUser = doc.paths['/v1/tenants/{slug}/users'].post;
    expect(createUser.responses['409'].description).toContain(ErrorCode.CONFLICT);
    expect(createUser.responses['403'].description).toContain(ErrorCode.FORBIDDEN);
    expect(createUser.security).toEqual(
      expect.arrayContaining([{ accessToken: [] }, { platformKey: [] }]),
    );
    const audit = doc.paths['/v1/tenants/{slug}/audit-events'].get as unknown as {
      description: string;
    };
    expect(audit.description).toContain('LOGIN_FAILED');
  });

  it('serves the OpenAPI UI at /docs', async () => {
    const res = await t.http().get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger');
  });
});

describe('logs never hold a credential', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { captureLogs: true });

  it('redacts the api key, bearer tokens and passwords and logs request ids', async () => {
    const tenant = await createTenant(t);
    const token = await login(t, tenant.slug, tenant.admin.username, tenant.admin.password);
    await t.http().get('/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await t
      .http()
      .post('/v1/auth/login')
      .set('X-Request-Id', 'trace-me-123')
      .send({ tenant: tenant.slug, username: 'admin', password: 'wrong-password-value' })
      .expect(401);
    // pino writes asynchronously to the stream: give it a tick.
    await new Promise((r) => setTimeout(r, 50));
    const logs = t.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain('trace-me-123');
    expect(logs).toContain('[redacted]');
    expect(logs).not.toContain(t.platformKey);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.split('.')[2]);
    expect(logs).not.toContain(tenant.admin.password);
    expect(logs).not.toContain('wrong-password-value');
  });
});

describe('database gone', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After (never a 500) and readiness 503', async () => {
    await t.http().get('/health/ready').expect(200);
    // Drop the app's database under it (its connections are terminated).
    const { dropTestDatabase } = await import('../support/database');
    await dropTestDatabase(t.databaseUrl);
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.code).toBe('SERVICE_UNAVAILABLE');
    const res = await t.http().get('/v1/tenants').set('X-Api-Key', t.platformKey);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await t.http().get('/health/live').expect(200);
  });
});

describe('draining (shutdown begun)', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  it('answers readiness 503 and closes keep-alive connections, while still serving requests', async () => {
    await t.http().get('/health/ready').expect(200);
    t.app.get(Lifecycle).beginDrain();
    const ready = await t.http().get('/health/ready').expect(503);
    expect(ready.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(ready.headers.connection).toBe('close');
    const live = await t.http().get('/health/live').expect(200);
    expect(live.headers.connection).toBe('close');
  });
});

describe('unexpected errors in the log', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { captureLogs: true });

  it('are logged with the request id but without the failed query or its parameters', async () => {
    const tenant = await createTenant(t);
    const leak = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LWhhc2gtdGhhdC1tdXN0LW5vdC1sZWFr';
    const spy = jest
      .spyOn(t.app.get(UsersService), 'insert')
      .mockRejectedValueOnce(
        new QueryFailedError(
          'INSERT INTO users (password_hash) VALUES ($1)',
          [leak],
          new Error('deadlock detected'),
        ),
      );
    try {
      const res = await t
        .http()
        .post(`/v1/tenants/${tenant.slug}/users`)
        .set('X-Api-Key', t.platformKey)
        .set('X-Request-Id', 'leak-check-1')
        .send({ username: 'someone', password: 'a-long-enough-password', roles: ['agent'] })
        .expect(500);
      expect(res.body.code).toBe('INTERNAL_ERROR');
    } finally {
      spy.mockRestore();
    }
    await new Promise((r) => setTimeout(r, 50));
    const logs = t.logs();
    const line = logs.split('\n').find((l) => l.includes('unhandled error'));
    expect(line).toBeDefined();
    expect(line).toContain('leak-check-1');
    expect(line).toContain('deadlock detected');
    expect(logs).not.toContain('c2VjcmV0LWhhc2gtdGhhdC1tdXN0LW5vdC1sZWFr');
    expect(logs).not.toContain('INSERT INTO users');
  });
});
