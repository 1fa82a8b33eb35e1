import type { Response, Test } from 'supertest';
import { UsersService } from '../../src/users/users.service';
import {
  adminToken,
  createTenant,
  createUser,
  login,
  strongPassword,
  uniqueSlug,
} from '../factories/tenants.factory';
import { passwordLogin } from '../factories/two-factor.factory';
import { queryDb } from '../support/database';
import {
  expectExactErrorResponse,
  expectValidationError,
  withoutRequestId,
} from '../support/http-assertions';
import { withAccessToken, withPlatformKey } from '../support/request-credentials';
import { useTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TENANT_KEYS = ['createdAt', 'defaultLocale', 'id', 'name', 'slug', 'status'];

describe('Platform: tenants', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS });

  const platform = (req: Test) => withPlatformKey(req, t.platformKey);
  const newTenantBody = (slug = uniqueSlug()) => ({
    slug,
    name: `Tenant ${slug}`,
    admin: { username: 'admin', password: strongPassword() },
  });
  const listSlugs = async (): Promise<string[]> => {
    const res = await platform(t.http().get('/v1/tenants')).expect(200);
    return (res.body.items as Array<{ slug: string }>).map((x) => x.slug);
  };

  describe('platform key', () => {
    const wrongKeys: Array<[string, (key: string) => string | undefined]> = [
      ['no X-Api-Key', () => undefined],
      ['an empty X-Api-Key', () => ''],
      ['a wrong key of the same length', (k) => k.replace(/./g, (c) => (c === 'A' ? 'B' : 'A'))],
      ['a wrong key one character longer', (k) => `${k}x`],
      ['a wrong key one character shorter', (k) => k.slice(0, -1)],
      ['a short wrong key', () => 'secret'],
    ];

    it.each(wrongKeys)(
      'POST /v1/tenants with %s → 401 UNAUTHENTICATED, nothing created',
      async (_, key) => {
        const body = newTenantBody();
        let req = t.http().post('/v1/tenants');
        const k = key(t.platformKey);
        if (k !== undefined) req = req.set('X-Api-Key', k);
        const res = await req.send(body);
        expectExactErrorResponse(res, 401, 'UNAUTHENTICATED');
        expect(await listSlugs()).not.toContain(body.slug);
      },
    );

    it.each(wrongKeys)('GET /v1/tenants with %s → 401 UNAUTHENTICATED', async (_, key) => {
      await createTenant(t);
      let req = t.http().get('/v1/tenants');
      const k = key(t.platformKey);
      if (k !== undefined) req = req.set('X-Api-Key', k);
      const res = await req;
      expectExactErrorResponse(res, 401, 'UNAUTHENTICATED');
      expect(res.body.items).toBeUndefined();
    });

    it.each(wrongKeys)(
      'PATCH /v1/tenants/{slug} with %s → 401, tenant unchanged',
      async (_, key) => {
        const tenant = await createTenant(t);
        let req = t.http().patch(`/v1/tenants/${tenant.slug}`);
        const k = key(t.platformKey);
        if (k !== undefined) req = req.set('X-Api-Key', k);
        const res = await req.send({ name: 'Hijacked', status: 'disabled' });
        expectExactErrorResponse(res, 401, 'UNAUTHENTICATED');
        const after = await platform(t.http().get(`/v1/tenants/${tenant.slug}`)).expect(200);
        expect(after.body).toEqual(
          expect.objectContaining({ name: tenant.name, status: 'active' }),
        );
      },
    );

    it("answers a tenant admin's valid access token on the platform-only routes with 403", async () => {
      const tenant = await createTenant(t);
      const token = await adminToken(t, tenant);
      const body = newTenantBody();
      const post = await withAccessToken(t.http().post('/v1/tenants'), token).send(body);
      expectExactErrorResponse(post, 403, 'FORBIDDEN');
      const list = await withAccessToken(t.http().get('/v1/tenants'), token);
      expectExactErrorResponse(list, 403, 'FORBIDDEN');
      const patch = await withAccessToken(t.http().patch(`/v1/tenants/${tenant.slug}`), token).send(
        {
          name: 'Renamed by its admin',
        },
      );
      expectExactErrorResponse(patch, 403, 'FORBIDDEN');
      expect(await listSlugs()).not.toContain(body.slug);
      const after = await platform(t.http().get(`/v1/tenants/${tenant.slug}`)).expect(200);
      expect(after.body.name).toBe(tenant.name);
    });
  });

  describe('POST /v1/tenants', () => {
    it('creates a tenant: 201 with exactly { id, slug, name, status: "active", createdAt }', async () => {
      const slug = uniqueSlug();
      const admin = { username: 'root', password: strongPassword(), email: 'ops@acme.test' };
      const before = Date.now();
      const res = await platform(t.http().post('/v1/tenants'))
        .send({ slug, name: 'Acme Contact Center', admin })
        .expect(201);
      expect(Object.keys(res.body).sort()).toEqual(TENANT_KEYS);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        slug,
        name: 'Acme Contact Center',
        status: 'active',
        defaultLocale: 'en',
        createdAt: expect.stringMatching(ISO),
      });
      const createdAt = Date.parse(res.body.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before - 5000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 5000);
      expect(JSON.stringify(res.body)).not.toContain(admin.password);

      // The first admin exists, with role admin, and can sign in.
      const token = await login(t, slug, admin.username, admin.password);
      const me = await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
      expect(me.body).toEqual(
        expect.objectContaining({ username: 'root', tenant: slug, roles: ['admin'] }),
      );
    });

    it('accepts the boundary slugs (2 and 63 characters, digits and inner dashes)', async () => {
      // Each test file has its own database: these fixed slugs are free.
      const long = `0${'a-b'.repeat(20)}cd`;
      expect(long).toHaveLength(63);
      for (const slug of ['q7', long]) {
        const res = await platform(t.http().post('/v1/tenants'))
          .send(newTenantBody(slug))
          .expect(201);
        expect(res.body.slug).toBe(slug);
        await platform(t.http().get(`/v1/tenants/${slug}`)).expect(200);
      }
    });

    it('refuses a duplicate slug with 409 CONFLICT and leaves the first tenant and its admin untouched', async () => {
      const tenant = await createTenant(t);
      const dup = newTenantBody(tenant.slug);
      dup.admin.username = 'intruder';
      const res = await platform(t.http().post('/v1/tenants')).send(dup);
      expectExactErrorResponse(res, 409, 'CONFLICT');
      expect((await listSlugs()).filter((s) => s === tenant.slug)).toHaveLength(1);
      await adminToken(t, tenant);
      const intruder = await passwordLogin(t, tenant.slug, 'intruder', dup.admin.password);
      expectExactErrorResponse(intruder, 401, 'INVALID_CREDENTIALS');
    });

    it.each<[string, unknown]>([
      ['uppercase', 'Acme'],
      ['one character', 'a'],
      ['a leading dash', '-acme'],
      ['64 characters', 'a'.repeat(64)],
      ['100 characters', 'b'.repeat(100)],
      ['an underscore', 'ac_me'],
      ['a space', 'ac me'],
      ['a number', 12345],
      ['null', null],
      ['an array', ['acme']],
      ['an empty string', ''],
    ])('refuses a slug with %s: 400 VALIDATION_FAILED naming slug', async (_, slug) => {
      const body = { ...newTenantBody(), slug };
      const res = await platform(t.http().post('/v1/tenants')).send(body);
      expectValidationError(res, 'slug');
    });

    it('refuses a missing slug and a missing name', async () => {
      const { slug: _slug, ...noSlug } = newTenantBody();
      expectValidationError(await platform(t.http().post('/v1/tenants')).send(noSlug), 'slug');
      const { name: _name, ...noName } = newTenantBody();
      expectValidationError(await platform(t.http().post('/v1/tenants')).send(noName), 'name');
    });

    it('refuses unknown top-level fields with 400 naming them, nothing created', async () => {
      const body = {
        ...newTenantBody(),
        status: 'disabled',
        id: '0c9b2f5e-8a31-4d6e-9f00-1b2c3d4e5f60',
      };
      const res = await platform(t.http().post('/v1/tenants')).send(body);
      expectValidationError(res, 'status');
      expectValidationError(res, 'id');
      expect(await listSlugs()).not.toContain(body.slug);
    });

    it('refuses unknown fields inside admin with 400 naming them, nothing created', async () => {
      const body = newTenantBody();
      const res = await platform(t.http().post('/v1/tenants')).send({
        ...body,
        admin: { ...body.admin, roles: ['admin', 'superuser'] },
      });
      expectValidationError(res, 'admin.roles');
      expect(await listSlugs()).not.toContain(body.slug);
    });

    it.each<[string, unknown]>([
      ['missing', undefined],
      ['null', null],
      ['a string', 'admin'],
    ])('refuses an admin that is %s with 400 naming admin', async (_, admin) => {
      const body = { ...newTenantBody(), admin };
      const res = await platform(t.http().post('/v1/tenants')).send(body);
      expectValidationError(res, 'admin');
      expect(await listSlugs()).not.toContain(body.slug);
    });

    it('refuses an admin password shorter than 12 characters, and creates no tenant', async () => {
      const body = newTenantBody();
      body.admin.password = 'p'.repeat(11);
      const res = await platform(t.http().post('/v1/tenants')).send(body);
      expectValidationError(res, 'admin.password');
      expect(JSON.stringify(res.body)).not.toContain(body.admin.password);
      expect(await listSlugs()).not.toContain(body.slug);
      const found = await platform(t.http().get(`/v1/tenants/${body.slug}`));
      expectExactErrorResponse(found, 404, 'NOT_FOUND');
    });

    it.each([
      { name: 'an invalid admin email', field: 'email', value: 'not-an-email' },
      {
        name: 'an admin username with a control character',
        field: 'username',
        value: 'ad\u0000min',
      },
    ])('refuses $name', async ({ field, value }) => {
      const body = newTenantBody();
      const res = await platform(t.http().post('/v1/tenants')).send({
        ...body,
        admin: { ...body.admin, [field]: value },
      });
      expectValidationError(res, `admin.${field}`);
      expect(await listSlugs()).not.toContain(body.slug);
    });

    it("creates the tenant's 2FA settings row disabled, with no channel", async () => {
      const tenant = await createTenant(t);
      const rows = await queryDb(
        t.databaseUrl,
        'SELECT enabled, channel_id FROM tenant_2fa_settings WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(rows).toEqual([{ enabled: false, channel_id: null }]);
    });

    it('is atomic: a failure creating the first admin leaves no tenant behind (500, no detail)', async () => {
      const body = newTenantBody();
      const spy = jest
        .spyOn(t.app.get(UsersService), 'insert')
        .mockRejectedValueOnce(new Error('boom'));
      let res: Response;
      try {
        res = await platform(t.http().post('/v1/tenants')).send(body);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
      expectExactErrorResponse(res, 500, 'INTERNAL_ERROR');
      expect(res.body.details).toBeUndefined();
      expect(res.body.message).not.toContain('boom');
      expect(JSON.stringify(res.body)).not.toContain('boom');

      expectExactErrorResponse(
        await platform(t.http().get(`/v1/tenants/${body.slug}`)),
        404,
        'NOT_FOUND',
      );
      expect(
        await queryDb(t.databaseUrl, 'SELECT id FROM tenants WHERE slug = $1', [body.slug]),
      ).toEqual([]);
      const orphans = await queryDb(
        t.databaseUrl,
        `SELECT s.tenant_id FROM tenant_2fa_settings s LEFT JOIN tenants t ON t.id = s.tenant_id
         WHERE t.id IS NULL`,
      );
      expect(orphans).toEqual([]);
      const events = await queryDb(
        t.databaseUrl,
        "SELECT id FROM audit_events WHERE data->>'slug' = $1",
        [body.slug],
      );
      expect(events).toEqual([]);

      // The slug is free again.
      await platform(t.http().post('/v1/tenants')).send(body).expect(201);
    });
  });

  describe('GET /v1/tenants and /v1/tenants/{slug}', () => {
    it('lists created tenants in the tenant representation', async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const res = await platform(t.http().get('/v1/tenants')).expect(200);
      expect(Object.keys(res.body)).toEqual(['items']);
      const items = res.body.items as Array<Record<string, unknown>>;
      for (const tenant of [a, b]) {
        const item = items.find((x) => x.slug === tenant.slug);
        expect(item).toEqual({
          id: tenant.id,
          slug: tenant.slug,
          name: tenant.name,
          status: 'active',
          defaultLocale: 'en',
          createdAt: expect.stringMatching(ISO),
        });
      }
      for (const item of items) expect(Object.keys(item).sort()).toEqual(TENANT_KEYS);
    });

    it("answers the platform key and the tenant's own admin; 403 for another tenant's admin or a non-admin", async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const expected = {
        id: a.id,
        slug: a.slug,
        name: a.name,
        status: 'active',
        defaultLocale: 'en',
        createdAt: expect.stringMatching(ISO),
      };

      const byPlatform = await platform(t.http().get(`/v1/tenants/${a.slug}`)).expect(200);
      expect(byPlatform.body).toEqual(expected);
      expect(Object.keys(byPlatform.body).sort()).toEqual(TENANT_KEYS);

      const byAdmin = await withAccessToken(
        t.http().get(`/v1/tenants/${a.slug}`),
        await adminToken(t, a),
      ).expect(200);
      expect(byAdmin.body).toEqual(byPlatform.body);

      const byOther = await withAccessToken(
        t.http().get(`/v1/tenants/${a.slug}`),
        await adminToken(t, b),
      );
      expectExactErrorResponse(byOther, 403, 'FORBIDDEN');

      const agent = await createUser(t, a, { roles: ['agent'] });
      const byAgent = await withAccessToken(
        t.http().get(`/v1/tenants/${a.slug}`),
        await login(t, a.slug, agent.username, agent.password),
      );
      expectExactErrorResponse(byAgent, 403, 'FORBIDDEN');
    });

    it('answers 401 without credentials or with a bad one', async () => {
      const a = await createTenant(t);
      expectExactErrorResponse(await t.http().get(`/v1/tenants/${a.slug}`), 401, 'UNAUTHENTICATED');
      expectExactErrorResponse(
        await t.http().get(`/v1/tenants/${a.slug}`).set('Authorization', 'Bearer not.a.token'),
        401,
        'UNAUTHENTICATED',
      );
      expectExactErrorResponse(
        await t.http().get(`/v1/tenants/${a.slug}`).set('X-Api-Key', `${t.platformKey}x`),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('answers 404 NOT_FOUND with the platform key for an unknown slug', async () => {
      expectExactErrorResponse(
        await platform(t.http().get(`/v1/tenants/${uniqueSlug('nope')}`)),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('PATCH /v1/tenants/{slug}', () => {
    it('renames a tenant: 200 with the tenant', async () => {
      const a = await createTenant(t);
      const res = await platform(t.http().patch(`/v1/tenants/${a.slug}`))
        .send({ name: 'Renamed Inc.' })
        .expect(200);
      expect(res.body).toEqual({
        id: a.id,
        slug: a.slug,
        name: 'Renamed Inc.',
        status: 'active',
        defaultLocale: 'en',
        createdAt: expect.stringMatching(ISO),
      });
      const got = await platform(t.http().get(`/v1/tenants/${a.slug}`)).expect(200);
      expect(got.body.name).toBe('Renamed Inc.');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['status "deleted"', { status: 'deleted' }, 'status'],
      ['status "DISABLED"', { status: 'DISABLED' }, 'status'],
      ['status true', { status: true }, 'status'],
      ['status null', { status: null }, 'status'],
      ['a null name', { name: null }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a numeric name', { name: 42 }, 'name'],
      ['a new slug', { slug: 'other-slug' }, 'slug'],
      ['an id', { id: '0c9b2f5e-8a31-4d6e-9f00-1b2c3d4e5f60' }, 'id'],
    ])('refuses %s with 400 VALIDATION_FAILED, tenant unchanged', async (_, body, field) => {
      const a = await createTenant(t);
      const res = await platform(t.http().patch(`/v1/tenants/${a.slug}`)).send(body);
      expectValidationError(res, field);
      const got = await platform(t.http().get(`/v1/tenants/${a.slug}`)).expect(200);
      expect(got.body).toEqual(
        expect.objectContaining({ id: a.id, slug: a.slug, name: a.name, status: 'active' }),
      );
    });

    it('answers 404 NOT_FOUND for an unknown slug', async () => {
      const res = await platform(t.http().patch(`/v1/tenants/${uniqueSlug('nope')}`)).send({
        name: 'x',
      });
      expectExactErrorResponse(res, 404, 'NOT_FOUND');
    });

    it('disabling a tenant stops its logins (same answer as a wrong password) and its tokens; re-enabling restores login', async () => {
      const a = await createTenant(t);
      const other = await createTenant(t);
      const token = await adminToken(t, a);
      const otherToken = await adminToken(t, other);
      await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);

      const wrong = await t
        .http()
        .post('/v1/auth/login')
        .send({ tenant: a.slug, username: a.admin.username, password: `${a.admin.password}!` });
      expectExactErrorResponse(wrong, 401, 'INVALID_CREDENTIALS');

      const patched = await platform(t.http().patch(`/v1/tenants/${a.slug}`))
        .send({ status: 'disabled' })
        .expect(200);
      expect(patched.body).toEqual(
        expect.objectContaining({ id: a.id, slug: a.slug, status: 'disabled' }),
      );
      expect(Object.keys(patched.body).sort()).toEqual(TENANT_KEYS);

      const refused = await passwordLogin(t, a.slug, a.admin.username, a.admin.password);
      expectExactErrorResponse(refused, 401, 'INVALID_CREDENTIALS');
      expect(withoutRequestId(refused.body)).toEqual(withoutRequestId(wrong.body));
      expect(refused.body.accessToken).toBeUndefined();

      expectExactErrorResponse(
        await withAccessToken(t.http().get('/v1/auth/me'), token),
        401,
        'UNAUTHENTICATED',
      );
      expectExactErrorResponse(
        await withAccessToken(t.http().get(`/v1/tenants/${a.slug}/users`), token),
        401,
        'UNAUTHENTICATED',
      );
      expectExactErrorResponse(
        await withAccessToken(t.http().get(`/v1/tenants/${a.slug}`), token),
        401,
        'UNAUTHENTICATED',
      );

      // Another tenant is not affected.
      await withAccessToken(t.http().get('/v1/auth/me'), otherToken).expect(200);
      await adminToken(t, other);

      await platform(t.http().patch(`/v1/tenants/${a.slug}`))
        .send({ status: 'active' })
        .expect(200);
      const fresh = await adminToken(t, a);
      await withAccessToken(t.http().get('/v1/auth/me'), fresh).expect(200);
    });

    it('records TENANT_CHANGED events with the platform as actor', async () => {
      const a = await createTenant(t);
      const events = async () => {
        const res = await platform(
          t.http().get(`/v1/tenants/${a.slug}/audit-events`).query({ type: 'TENANT_CHANGED' }),
        ).expect(200);
        return res.body.items as Array<Record<string, unknown>>;
      };
      const before = await events();

      await platform(t.http().patch(`/v1/tenants/${a.slug}`))
        .send({ status: 'disabled' })
        .expect(200);
      await platform(t.http().patch(`/v1/tenants/${a.slug}`))
        .send({ name: 'New name', status: 'active' })
        .expect(200);

      const after = await events();
      expect(after).toHaveLength(before.length + 2);
      for (const e of after) expect(e.type).toBe('TENANT_CHANGED');
      const [renamed, disabled] = after;
      for (const e of [renamed, disabled]) {
        expect(e).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            type: 'TENANT_CHANGED',
            userId: null,
            actor: { type: 'platform', id: null },
            createdAt: expect.stringMatching(ISO),
            data: expect.objectContaining({ action: 'updated' }),
          }),
        );
      }
      expect(JSON.stringify(disabled.data)).toContain('disabled');
      expect(JSON.stringify(renamed.data)).toContain('New name');
      // No secret in any of them.
      expect(JSON.stringify(after)).not.toContain(a.admin.password);
    });
  });
});
