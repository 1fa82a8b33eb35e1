import { auditEvents } from '../support/audit-events';
import { createTenant } from '../factories/tenants.factory';
import { expectErrorResponse, expectErrorShape } from '../support/http-assertions';
import { startTestApp, useTestApp, TestApp } from '../support/test-app';

describe('HTTP edge: error shape, body rules, request id, headers', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  /** A login whose body is `raw` as it is, sent as `type`. */
  const rawLogin = (raw: string, type = 'application/json') =>
    t.http().post('/v1/auth/login').set('Content-Type', type).send(raw);

  it('answers an unknown route with 404 NOT_FOUND in the error shape, requestId = X-Request-Id', async () => {
    const res = await t.http().get('/v1/nope').expect(404);
    expectErrorShape(res.body, 404, 'NOT_FOUND');
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const echoed = await t
      .http()
      .get('/health/live')
      .set('X-Request-Id', 'abc-123.DEF')
      .expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123.DEF');
    const replaced = await t
      .http()
      .get('/health/live')
      .set('X-Request-Id', 'a b<script>')
      .expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await rawLogin('{"tenant": "a",').expect(400);
    expectErrorShape(res.body, 400, 'VALIDATION_FAILED');
  });

  it.each([['null'], ['[]'], ['"text"'], ['42']])(
    'refuses the JSON body %s with 400',
    async (raw) => {
      const res = await rawLogin(raw).expect(400);
      expectErrorShape(res.body, 400, 'VALIDATION_FAILED');
    },
  );

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'tenant=a&username=b&password=c'],
    ['application/xml', '<a/>'],
  ])('answers a %s body with 415 UNSUPPORTED_MEDIA_TYPE', async (type, body) => {
    const res = await rawLogin(body, type).expect(415);
    expectErrorShape(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over 1 MB with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ tenant: 'a', username: 'b', password: 'x'.repeat(1024 * 1024) });
    const res = await rawLogin(big).expect(413);
    expectErrorShape(res.body, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses prototype-pollution keys with 400', async () => {
    const res = await rawLogin(
      '{"tenant":"a","username":"b","password":"c","__proto__":{"admin":true}}',
    ).expect(400);
    expectErrorShape(res.body, 400, 'VALIDATION_FAILED');
  });

  it('refuses a `constructor` or `prototype` key at any depth with 400 (found by the fuzz test: was a 500)', async () => {
    for (const body of [
      '{"tenant":{"constructor":1},"username":"a","password":"b"}',
      '{"tenant":"a","username":"b","password":{"a":{"constructor":1}}}',
      '{"tenant":"a","username":"b","password":"c","x":[{"prototype":{}}]}',
    ]) {
      const res = await rawLogin(body);
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('refuses a deeply nested body with 400 before anything recurses into it (was a 500)', async () => {
    const arrays = `{"tenant":${'['.repeat(3000)}${']'.repeat(3000)},"username":"a","password":"b"}`;
    const objects = `{"name":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
    expectErrorResponse(
      await t.http().post('/v1/auth/login').set('Content-Type', 'application/json').send(arrays),
      400,
      'VALIDATION_FAILED',
    );
    expectErrorResponse(
      await t
        .http()
        .post('/v1/tenants')
        .set('X-Api-Key', t.platformKey)
        .set('Content-Type', 'application/json')
        .send(objects),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers headers over 16 KB in the error shape with a request id (was a bare 431)', async () => {
    for (const res of [
      await t.http().get(`/health/live?x=${'a'.repeat(17000)}`),
      await t
        .http()
        .get('/v1/auth/me')
        .set('Authorization', `Bearer ${'a'.repeat(17000)}`),
    ]) {
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { field: 'request', message: 'The request headers (or URL) are too large.' },
      ]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('says a malformed URL is a malformed URL', async () => {
    const res = await t.http().get('/v1/tenants/%E0%A4%A/users');
    expect(res.status).toBe(400);
    expect(res.body.message).not.toMatch(/JSON/);
  });

  it('sets security headers and no-store on API responses', async () => {
    const res = await t.http().post('/v1/auth/login').send({}).expect(400);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sends no CORS headers when CORS_ORIGINS is unset', async () => {
    const res = await t.http().get('/health/live').set('Origin', 'https://evil.test').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), {
    env: { CORS_ORIGINS: 'https://agent.efcx.test, https://admin.efcx.test' },
  });

  /** A browser's preflight of a POST to `path` from `origin`. */
  const preflight = (path: string, origin: string) =>
    t.http().options(path).set('Origin', origin).set('Access-Control-Request-Method', 'POST');

  it('allows a listed origin on /v1/auth/* with the Authorization header, and nobody else', async () => {
    const ok = await preflight('/v1/auth/login', 'https://agent.efcx.test').set(
      'Access-Control-Request-Headers',
      'authorization,content-type',
    );
    expect(ok.status).toBeLessThan(300);
    expect(ok.headers['access-control-allow-origin']).toBe('https://agent.efcx.test');
    expect(ok.headers['access-control-allow-headers']).toMatch(/authorization/i);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();

    const other = await preflight('/v1/auth/login', 'https://evil.test');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const admin = await preflight('/v1/tenants', 'https://agent.efcx.test');
    expect(admin.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('TRUST_PROXY', () => {
  const auditedIp = async (t: TestApp, forwardedFor: string) => {
    await t
      .http()
      .post('/v1/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ tenant: 'nobody', username: 'x', password: 'y' })
      .expect(401);
    const tenant = await createTenant(t);
    await t
      .http()
      .post('/v1/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ tenant: tenant.slug, username: 'ghost', password: 'wrong-password' })
      .expect(401);
    const [failed] = await auditEvents(t, tenant.slug, { type: 'LOGIN_FAILED' });
    return failed.ip as string;
  };

  it('ignores X-Forwarded-For when unset (the socket address is audited)', async () => {
    const t = await startTestApp();
    try {
      expect(await auditedIp(t, '203.0.113.9')).toBe('127.0.0.1');
    } finally {
      await t.close();
    }
  });

  it('believes the trusted proxy hop when set', async () => {
    const t = await startTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      expect(await auditedIp(t, '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
    } finally {
      await t.close();
    }
  });
});
