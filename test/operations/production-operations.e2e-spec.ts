import { randomBytes } from 'node:crypto';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { productionEnvironment, startTestApp, useTestApp, TestApp } from '../support/test-app';

/** API.md v1.1 §13: /metrics and /docs on a production instance. */
async function startProduction(
  env: Record<string, string>,
): Promise<{ t: TestApp; stop: () => Promise<void> }> {
  const databaseUrl = await createTestDatabase();
  const t = await startTestApp({
    databaseUrl,
    env: productionEnvironment(databaseUrl, env),
  });
  return {
    t,
    stop: async () => {
      await t.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}

describe('production defaults: no METRICS_TOKEN, no DOCS_ENABLED', () => {
  let p: Awaited<ReturnType<typeof startProduction>>;
  beforeAll(async () => {
    p = await startProduction({});
  });
  afterAll(() => p?.stop());

  it('answers 404 on /metrics, whatever the credential, and on /docs and /docs-json', async () => {
    expect(p.t.config.runtime.production).toBe(true);
    expectErrorResponse(await p.t.http().get('/metrics'), 404, 'NOT_FOUND');
    expectErrorResponse(
      await p.t.http().get('/metrics').set('Authorization', 'Bearer anything-at-all'),
      404,
      'NOT_FOUND',
    );
    for (const path of ['/docs', '/docs/', '/docs-json', '/docs-yaml'])
      expectErrorResponse(await p.t.http().get(path), 404, 'NOT_FOUND');
    await p.t.http().get('/health/live').expect(200);
  });
});

describe('production with METRICS_TOKEN and DOCS_ENABLED=true', () => {
  const token = randomBytes(32).toString('base64url');
  let p: Awaited<ReturnType<typeof startProduction>>;
  beforeAll(async () => {
    p = await startProduction({ METRICS_TOKEN: token, DOCS_ENABLED: 'true' });
  });
  afterAll(() => p?.stop());

  it('serves /metrics only with Authorization: Bearer <METRICS_TOKEN>', async () => {
    for (const auth of [
      undefined,
      'Bearer wrong-token',
      `Basic ${token}`,
      token,
      `Bearer ${token}x`,
    ]) {
      const req = p.t.http().get('/metrics');
      if (auth) req.set('Authorization', auth);
      expectErrorResponse(await req, 401, 'UNAUTHENTICATED');
    }
    // The platform key is not the metrics credential either.
    expectErrorResponse(
      await p.t.http().get('/metrics').set('X-Api-Key', p.t.platformKey),
      401,
      'UNAUTHENTICATED',
    );
    const res = await p.t
      .http()
      .get('/metrics')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.text).toContain('# TYPE efcx_logins_total counter');
  });

  it('serves /docs and /docs-json', async () => {
    const doc = await p.t.http().get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toContain('/v1/auth/login');
    await p.t.http().get('/docs').redirects(1).expect(200);
  });
});

describe('outside production', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), {
    env: { METRICS_TOKEN: randomBytes(32).toString('base64url'), DOCS_ENABLED: 'false' },
  });

  it('/metrics is open even with METRICS_TOKEN set; DOCS_ENABLED=false turns /docs off', async () => {
    await t.http().get('/metrics').expect(200);
    expectErrorResponse(await t.http().get('/docs-json'), 404, 'NOT_FOUND');
  });
});
