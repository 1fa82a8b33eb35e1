import { createTenant, createUser } from '../factories/tenants.factory';
import { passwordLogin } from '../factories/two-factor.factory';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';

/** Inputs that once reached PostgreSQL or Fastify unchecked and answered 500 or a foreign shape. */
describe('input hardening', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  const key = () => t.platformKey;

  it('refuses NUL and other control characters in every free-text field with 400', async () => {
    const tenant = await createTenant(t);
    const cases: Array<[string, () => Promise<import('supertest').Response>]> = [
      [
        'login tenant',
        () =>
          t.http().post('/v1/auth/login').send({ tenant: 'a\u0000', username: 'x', password: 'y' }),
      ],
      [
        'tenant name',
        () =>
          t
            .http()
            .post('/v1/tenants')
            .set('X-Api-Key', key())
            .send({
              slug: 'nul-name',
              name: 'Acme\u0000',
              admin: { username: 'admin', password: 'a-long-password-1' },
            }),
      ],
      [
        'admin display name',
        () =>
          t
            .http()
            .post('/v1/tenants')
            .set('X-Api-Key', key())
            .send({
              slug: 'nul-admin',
              name: 'Acme',
              admin: { username: 'admin', password: 'a-long-password-1', displayName: 'A\u0000' },
            }),
      ],
      [
        'user display name',
        () =>
          t.http().post(`/v1/tenants/${tenant.slug}/users`).set('X-Api-Key', key()).send({
            username: 'u1',
            password: 'a-long-password-1',
            roles: [],
            displayName: 'line\nbreak',
          }),
      ],
      [
        'username query',
        () => t.http().get(`/v1/tenants/${tenant.slug}/users?username=%00`).set('X-Api-Key', key()),
      ],
    ];
    for (const [what, send] of cases) {
      const res = await send();
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('answers a NUL in a path slug as an unknown tenant, never a 500', async () => {
    for (const [method, path] of [
      ['get', '/v1/tenants/a%00'],
      ['patch', '/v1/tenants/a%00'],
      ['get', '/v1/tenants/a%00b/users'],
    ] as const) {
      const res = await t
        .http()
        [method](path)
        .set('X-Api-Key', key())
        .send(method === 'patch' ? { name: 'x' } : undefined);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expectErrorResponse(res, 404, 'NOT_FOUND');
    }
  });

  it('answers Fastify routing errors (overlong parameter, bad escape) in the error shape with a request id', async () => {
    const long = await t
      .http()
      .get(`/v1/tenants/${'a'.repeat(300)}`)
      .set('X-Api-Key', key());
    expect(long.status).toBe(400);
    expectErrorResponse(long, 400, 'VALIDATION_FAILED');
    const escape = await t.http().get('/v1/tenants/%E0%A4%A').set('X-Api-Key', key());
    expect(escape.status).toBe(400);
    expectErrorResponse(escape, 400, 'VALIDATION_FAILED');
  });

  it('counts password length in characters, not UTF-16 units', async () => {
    const tenant = await createTenant(t);
    const postUser = (username: string, password: string) =>
      t
        .http()
        .post(`/v1/tenants/${tenant.slug}/users`)
        .set('X-Api-Key', key())
        .send({ username, password, roles: [] });
    const short = await postUser('emoji-short', '😀'.repeat(6));
    expectErrorResponse(short, 400, 'VALIDATION_FAILED');
    expect(short.body.details).toEqual([
      { field: 'password', message: expect.stringContaining('characters') },
    ]);
    const longest = '😀'.repeat(256);
    const ok = await postUser('emoji-256', longest).expect(201);
    await passwordLogin(t, tenant.slug, 'emoji-256', longest).expect(200);
    expect(ok.body.username).toBe('emoji-256');
    const tooLong = await postUser('emoji-257', '😀'.repeat(257));
    expectErrorResponse(tooLong, 400, 'VALIDATION_FAILED');
  });

  it('gives one 204 and one 404 to two concurrent deletes, and writes one USER_DELETED', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const statuses = await Promise.all(
      [1, 2, 3].map(() =>
        t.http().delete(`/v1/tenants/${tenant.slug}/users/${user.id}`).set('X-Api-Key', key()),
      ),
    );
    expect(statuses.map((r) => r.status).sort()).toEqual([204, 404, 404]);
    const events = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/audit-events?type=USER_DELETED`)
      .set('X-Api-Key', key())
      .expect(200);
    expect(events.body.items).toHaveLength(1);
  });

  it('refuses a cursor that is not one of this listing, and says limit must be an integer', async () => {
    const tenant = await createTenant(t);
    for (const cursor of ['____', Buffer.from('audit:12').toString('base64url')]) {
      const res = await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/users?cursor=${cursor}`)
        .set('X-Api-Key', key());
      expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    }
    const res = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/users?limit=abc`)
      .set('X-Api-Key', key());
    expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details[0].message).toMatch(/integer/);
  });

  it('does not keep a typed name that is no username in the audit log (people type passwords there)', async () => {
    const tenant = await createTenant(t);
    await passwordLogin(t, tenant.slug, 'MySecretPassw0rd!', 'whatever-else').expect(401);
    const events = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/audit-events?type=LOGIN_FAILED`)
      .set('X-Api-Key', key())
      .expect(200);
    expect(events.body.items[0].data).toEqual({ reason: 'unknown_user' });
    expect(JSON.stringify(events.body)).not.toContain('MySecretPassw0rd!');
  });
});
