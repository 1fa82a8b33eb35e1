import { randomBytes, randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import {
  adminToken,
  createTenant,
  createUser,
  login,
  strongPassword,
  TestTenant,
} from '../factories/tenants.factory';
import { expectExactErrorResponse, expectValidationError } from '../support/http-assertions';
import { withAccessToken, withPlatformKey } from '../support/request-credentials';
import { useTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const USER_KEYS = [
  'createdAt',
  'disabled',
  'displayName',
  'email',
  'id',
  'locale',
  'roles',
  'sharedEmail',
  'twoFactor',
  'updatedAt',
  'username',
];

/** No password, hash or secret anywhere in a response. */
function expectNoSecrets(res: Response, ...passwords: string[]): void {
  const text = JSON.stringify(res.body);
  for (const p of passwords) expect(text).not.toContain(p);
  expect(text).not.toContain('$argon2');
  expect(text).not.toMatch(/password|hash|secret/i);
}

function expectUserShape(body: Record<string, unknown>): void {
  expect(Object.keys(body).sort()).toEqual(USER_KEYS);
  expect(body).toEqual({
    id: expect.stringMatching(UUID),
    username: expect.any(String),
    displayName: body.displayName === null ? null : expect.any(String),
    roles: expect.any(Array),
    email: body.email === null ? null : expect.any(String),
    locale: body.locale === null ? null : expect.any(String),
    disabled: expect.any(Boolean),
    twoFactor: expect.objectContaining({
      registered: expect.any(Boolean),
      consecutiveFailures: expect.any(Number),
      others: expect.any(Array),
    }),
    sharedEmail: expect.any(Boolean),
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
  });
}

const uniqueName = (prefix = 'u') => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('Tenant admin: users', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS });

  const platform = (req: Test) => withPlatformKey(req, t.platformKey);
  const usersPath = (tenant: { slug: string }) => `/v1/tenants/${tenant.slug}/users`;
  const postUser = (tenant: TestTenant, body: Record<string, unknown>) =>
    platform(t.http().post(usersPath(tenant))).send(body);
  const validUser = (overrides: Record<string, unknown> = {}) => ({
    username: uniqueName(),
    password: strongPassword(),
    roles: ['agent'],
    ...overrides,
  });
  const tryLogin = (tenant: { slug: string }, username: string, password: string) =>
    t.http().post('/v1/auth/login').send({ tenant: tenant.slug, username, password });
  const getUser = (tenant: TestTenant, id: string) =>
    platform(t.http().get(`${usersPath(tenant)}/${id}`));
  const listAll = async (tenant: TestTenant): Promise<Array<Record<string, unknown>>> => {
    const res = await platform(t.http().get(usersPath(tenant)).query({ limit: 200 })).expect(200);
    return res.body.items;
  };

  describe('POST /v1/tenants/{slug}/users', () => {
    it('creates a user: 201 with exactly the user representation, never a password or hash', async () => {
      const tenant = await createTenant(t);
      const password = strongPassword();
      const res = await postUser(tenant, {
        username: 'Alice',
        password,
        roles: ['agent', 'supervisor'],
        displayName: 'Alice Liddell',
        email: 'alice@acme.test',
      }).expect(201);
      expectUserShape(res.body);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        // Stored prepared (RFC 8265 UsernameCaseMapped, v1.1 §10).
        username: 'alice',
        displayName: 'Alice Liddell',
        roles: ['agent', 'supervisor'],
        email: 'alice@acme.test',
        locale: null,
        disabled: false,
        // A contact email never registers anyone for 2FA.
        twoFactor: {
          registered: false,
          channelType: null,
          destination: null,
          registeredAt: null,
          lockedUntil: null,
          lockedIndefinitely: false,
          consecutiveFailures: 0,
          recoveryCodesRemaining: 0,
          others: [],
        },
        sharedEmail: false,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expectNoSecrets(res, password);

      const got = await getUser(tenant, res.body.id).expect(200);
      expect(got.body).toEqual(res.body);
      expectNoSecrets(got, password);
      const list = await platform(t.http().get(usersPath(tenant))).expect(200);
      expect(list.body.items).toContainEqual(res.body);
      expectNoSecrets(list, password, tenant.admin.password);

      // The user exists for login, with that password.
      await login(t, tenant.slug, 'Alice', password);
    });

    it('fills displayName and email with null when not given', async () => {
      const tenant = await createTenant(t);
      const body = validUser();
      const res = await postUser(tenant, body).expect(201);
      expectUserShape(res.body);
      expect(res.body).toEqual(
        expect.objectContaining({ username: body.username, displayName: null, email: null }),
      );
    });

    it("accepts a tenant admin's own access token", async () => {
      const tenant = await createTenant(t);
      const body = validUser();
      const res = await withAccessToken(
        t.http().post(usersPath(tenant)),
        await adminToken(t, tenant),
      )
        .send(body)
        .expect(201);
      expect(res.body.username).toBe(body.username);
      expectNoSecrets(res, body.password);
    });

    it('keeps usernames unique per tenant, case-insensitively (409), but not across tenants', async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      await postUser(a, validUser({ username: 'Alice' })).expect(201);
      for (const username of ['alice', 'ALICE', 'Alice', 'aLiCe']) {
        const res = await postUser(a, validUser({ username }));
        expectExactErrorResponse(res, 409, 'CONFLICT');
      }
      expect(
        (await listAll(a)).filter((u) => String(u.username).toLowerCase() === 'alice'),
      ).toHaveLength(1);
      // The first admin counts too.
      expectExactErrorResponse(
        await postUser(a, validUser({ username: 'ADMIN' })),
        409,
        'CONFLICT',
      );

      const other = await postUser(b, validUser({ username: 'alice' })).expect(201);
      expect(other.body.username).toBe('alice');
    });

    it.each<[string, unknown]>([
      ['a NUL character', 'ali\u0000ce'],
      ['a tab', 'ali\tce'],
      ['a newline', 'alice\n'],
      ['a DEL character', 'ali\u007fce'],
      ['a line separator', 'ali\u2028ce'],
      ['an empty string', ''],
      ['65 characters', 'a'.repeat(65)],
      ['a number', 42],
      ['null', null],
      ['a missing value', undefined],
    ])('refuses a username with %s: 400 naming username', async (_, username) => {
      const tenant = await createTenant(t);
      const res = await postUser(tenant, validUser({ username }));
      expectValidationError(res, 'username');
      expect(await listAll(tenant)).toHaveLength(1);
    });

    it('accepts a 64-character username and a single character one', async () => {
      const tenant = await createTenant(t);
      for (const username of ['u'.repeat(64), 'z']) {
        const res = await postUser(tenant, validUser({ username })).expect(201);
        expect(res.body.username).toBe(username);
      }
    });

    it('refuses an 11-character password with details naming password, accepts 12', async () => {
      const tenant = await createTenant(t);
      const short = 'p'.repeat(11);
      const res = await postUser(tenant, validUser({ password: short }));
      expectValidationError(res, 'password');
      expect(JSON.stringify(res.body)).not.toContain(short);
      expect(await listAll(tenant)).toHaveLength(1);

      const body = validUser({ password: 'q'.repeat(12) });
      await postUser(tenant, body).expect(201);
      await login(t, tenant.slug, body.username, body.password);
    });

    it('accepts a 256-character password (and it signs in), refuses 257', async () => {
      const tenant = await createTenant(t);
      const body = validUser({ password: `${randomBytes(8).toString('hex')}${'x'.repeat(240)}` });
      expect(body.password).toHaveLength(256);
      const res = await postUser(tenant, body).expect(201);
      expectNoSecrets(res, body.password);
      await login(t, tenant.slug, body.username, body.password);

      const long = validUser({ password: 'y'.repeat(257) });
      expectValidationError(await postUser(tenant, long), 'password');
      expect((await listAll(tenant)).map((u) => u.username)).not.toContain(long.username);
    });

    it.each<[string, unknown]>([
      ['a number', 1234567890123],
      ['null', null],
      ['missing', undefined],
    ])('refuses a password that is %s', async (_, password) => {
      const tenant = await createTenant(t);
      expectValidationError(await postUser(tenant, validUser({ password })), 'password');
    });

    it.each<[string, unknown]>([
      ['a string', 'agent'],
      ['an object', { agent: true }],
      ['an array with a number', ['agent', 5]],
      ['an array with null', ['agent', null]],
      ['an array with an array', [['admin']]],
      ['missing', undefined],
    ])('refuses roles that are %s: 400 naming roles', async (_, roles) => {
      const tenant = await createTenant(t);
      const res = await postUser(tenant, validUser({ roles }));
      expectValidationError(res, 'roles');
      expect(await listAll(tenant)).toHaveLength(1);
    });

    it.each<[string, unknown]>([
      ['no at sign', 'not-an-email'],
      ['no domain', 'alice@'],
      ['spaces', 'alice @acme.test'],
      ['a number', 12],
    ])('refuses an email with %s: 400 naming email', async (_, email) => {
      const tenant = await createTenant(t);
      expectValidationError(await postUser(tenant, validUser({ email })), 'email');
    });

    it('refuses unknown and server-owned fields (mass assignment)', async () => {
      const tenant = await createTenant(t);
      const body = validUser();
      const res = await postUser(tenant, {
        ...body,
        id: randomUUID(),
        tenantId: randomUUID(),
        passwordHash: 'x',
        disabled: true,
      });
      for (const field of ['id', 'tenantId', 'passwordHash']) expectValidationError(res, field);
      expect((await listAll(tenant)).map((u) => u.username)).not.toContain(body.username);
    });
  });

  describe('GET /v1/tenants/{slug}/users', () => {
    it('walks every user exactly once with limit=2, in case-insensitive username order', async () => {
      const tenant = await createTenant(t);
      for (const username of ['delta', 'Bravo', 'charlie', 'alpha', 'Echo', 'foxtrot', 'Golf'])
        await createUser(t, tenant, { username });
      const expected = ['admin', 'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];

      const seen: string[] = [];
      const ids = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query: Record<string, string | number> = { limit: 2 };
        if (cursor !== undefined) query.cursor = cursor;
        const res = await platform(t.http().get(usersPath(tenant)).query(query)).expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const u of res.body.items) {
          expectUserShape(u);
          seen.push(u.username);
          ids.add(u.id);
        }
        expectNoSecrets(res, tenant.admin.password);
        cursor = res.body.nextCursor ?? undefined;
        if (cursor !== undefined) expect(typeof cursor).toBe('string');
        else expect(res.body.nextCursor).toBeNull();
        pages++;
        expect(pages).toBeLessThanOrEqual(10);
      } while (cursor !== undefined);

      expect(seen).toEqual(expected);
      expect(ids.size).toBe(expected.length);
      expect(pages).toBe(4);
    });

    it('defaults to one page with nextCursor null when everything fits', async () => {
      const tenant = await createTenant(t);
      await createUser(t, tenant, { username: 'only' });
      const res = await platform(t.http().get(usersPath(tenant))).expect(200);
      expect(res.body.items.map((u: { username: string }) => u.username)).toEqual([
        'admin',
        'only',
      ]);
      expect(res.body.nextCursor).toBeNull();
    });

    it.each<[string, Record<string, string>, string]>([
      ['limit=0', { limit: '0' }, 'limit'],
      ['limit=201', { limit: '201' }, 'limit'],
      ['limit=-1', { limit: '-1' }, 'limit'],
      ['limit=1.5', { limit: '1.5' }, 'limit'],
      ['limit=abc', { limit: 'abc' }, 'limit'],
      ['a cursor with invalid characters', { cursor: 'not a cursor!' }, 'cursor'],
      [
        'a well-encoded cursor of garbage',
        { cursor: Buffer.from('x'.repeat(100)).toString('base64url') },
        'cursor',
      ],
      [
        'a cursor holding a NUL',
        { cursor: Buffer.from('a\u0000b').toString('base64url') },
        'cursor',
      ],
      ['an unknown query parameter', { foo: 'bar' }, 'foo'],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_, query, field) => {
      const tenant = await createTenant(t);
      const res = await platform(t.http().get(usersPath(tenant)).query(query));
      expectValidationError(res, field);
    });

    it('accepts limit=1 and limit=200', async () => {
      const tenant = await createTenant(t);
      await createUser(t, tenant, { username: 'zulu' });
      const one = await platform(t.http().get(usersPath(tenant)).query({ limit: 1 })).expect(200);
      expect(one.body.items).toHaveLength(1);
      expect(typeof one.body.nextCursor).toBe('string');
      const max = await platform(t.http().get(usersPath(tenant)).query({ limit: 200 })).expect(200);
      expect(max.body.items).toHaveLength(2);
      expect(max.body.nextCursor).toBeNull();
    });

    it('filters by a case-insensitive username prefix, treating % and _ literally', async () => {
      const tenant = await createTenant(t);
      for (const username of ['a_b', 'axb', 'A%c', 'abc', 'Bob', 'a\\d'])
        await createUser(t, tenant, { username });
      const names = async (prefix: string) => {
        const res = await platform(
          t.http().get(usersPath(tenant)).query({ username: prefix }),
        ).expect(200);
        return (res.body.items as Array<{ username: string }>).map((u) => u.username);
      };
      expect(await names('a_')).toEqual(['a_b']);
      expect(await names('A_')).toEqual(['a_b']);
      expect(await names('a%')).toEqual(['a%c']);
      expect(await names('%')).toEqual([]);
      expect(await names('_')).toEqual([]);
      expect(await names('a\\')).toEqual(['a\\d']);
      expect(await names('AX')).toEqual(['axb']);
      expect(await names('b')).toEqual(['bob']);
      expect((await names('a')).sort()).toEqual(
        ['a%c', 'a\\d', 'a_b', 'abc', 'admin', 'axb'].sort(),
      );
      expect(await names('nobody')).toEqual([]);
    });

    it('pages through a prefix filter with the cursor', async () => {
      const tenant = await createTenant(t);
      for (const username of ['team-c', 'Team-A', 'team-b', 'other'])
        await createUser(t, tenant, { username });
      const first = await platform(
        t.http().get(usersPath(tenant)).query({ username: 'TEAM', limit: 2 }),
      ).expect(200);
      expect(first.body.items.map((u: { username: string }) => u.username)).toEqual([
        'team-a',
        'team-b',
      ]);
      const second = await platform(
        t
          .http()
          .get(usersPath(tenant))
          .query({ username: 'TEAM', limit: 2, cursor: first.body.nextCursor }),
      ).expect(200);
      expect(second.body.items.map((u: { username: string }) => u.username)).toEqual(['team-c']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('lists only the users of the tenant of the path', async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const ua = await createUser(t, a);
      const ub = await createUser(t, b);
      const ids = (await listAll(a)).map((u) => u.id);
      expect(ids).toContain(ua.id);
      expect(ids).not.toContain(ub.id);
      expect(ids).toHaveLength(2);
    });
  });

  describe('GET | PATCH | DELETE /v1/tenants/{slug}/users/{id}', () => {
    const methods: Array<[string, (tenant: TestTenant, id: string) => Test]> = [
      ['GET', (tenant, id) => platform(t.http().get(`${usersPath(tenant)}/${id}`))],
      [
        'PATCH',
        (tenant, id) =>
          platform(t.http().patch(`${usersPath(tenant)}/${id}`)).send({ displayName: 'Changed' }),
      ],
      ['DELETE', (tenant, id) => platform(t.http().delete(`${usersPath(tenant)}/${id}`))],
    ];

    it.each(methods)('%s with a malformed id → 400 VALIDATION_FAILED', async (_, call) => {
      const tenant = await createTenant(t);
      for (const id of ['not-a-uuid', '123', `${randomUUID()}0`, randomUUID().replace(/-/g, '')]) {
        expectValidationError(await call(tenant, id), 'id');
      }
      expectExactErrorResponse(await call(tenant, "1' OR '1'='1"), 400, 'VALIDATION_FAILED');
    });

    it.each(methods)('%s with an unknown uuid → 404 NOT_FOUND', async (_, call) => {
      const tenant = await createTenant(t);
      expectExactErrorResponse(await call(tenant, randomUUID()), 404, 'NOT_FOUND');
    });

    it.each(methods)(
      "%s of tenant B's user under tenant A's path → 404, B's user untouched",
      async (_, call) => {
        const a = await createTenant(t);
        const b = await createTenant(t);
        const victim = await createUser(t, b);
        const before = await getUser(b, victim.id).expect(200);
        expectExactErrorResponse(await call(a, victim.id), 404, 'NOT_FOUND');
        const after = await getUser(b, victim.id).expect(200);
        expect(after.body).toEqual(before.body);
        await login(t, b.slug, victim.username, victim.password);
      },
    );
  });

  describe('PATCH /v1/tenants/{slug}/users/{id}', () => {
    const patchUser = (tenant: TestTenant, id: string, body: Record<string, unknown>) =>
      platform(t.http().patch(`${usersPath(tenant)}/${id}`)).send(body);

    it('changes the password: the old one fails with INVALID_CREDENTIALS, the new one works', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const next = strongPassword();
      const res = await patchUser(tenant, user.id, { password: next }).expect(200);
      expectUserShape(res.body);
      expect(res.body.id).toBe(user.id);
      expectNoSecrets(res, next, user.password);

      expectExactErrorResponse(
        await tryLogin(tenant, user.username, user.password),
        401,
        'INVALID_CREDENTIALS',
      );
      await login(t, tenant.slug, user.username, next);
    });

    it('a password change ends the sessions: an access token issued before gets 401', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const token = await login(t, tenant.slug, user.username, user.password);
      await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
      await patchUser(tenant, user.id, { password: strongPassword() }).expect(200);
      expectExactErrorResponse(
        await withAccessToken(t.http().get('/v1/auth/me'), token),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('refuses a too short or too long new password, and the old one keeps working', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      expectValidationError(
        await patchUser(tenant, user.id, { password: 'short-pw-11' }),
        'password',
      );
      expectValidationError(
        await patchUser(tenant, user.id, { password: 'z'.repeat(257) }),
        'password',
      );
      await login(t, tenant.slug, user.username, user.password);
    });

    it('disabling a user refuses its login and its existing token; re-enabling restores login', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const token = await login(t, tenant.slug, user.username, user.password);
      await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);

      const res = await patchUser(tenant, user.id, { disabled: true }).expect(200);
      expect(res.body.disabled).toBe(true);
      expectUserShape(res.body);

      const wrong = await tryLogin(tenant, user.username, `${user.password}!`);
      const refused = await tryLogin(tenant, user.username, user.password);
      expectExactErrorResponse(refused, 401, 'INVALID_CREDENTIALS');
      expect({ ...refused.body, requestId: null }).toEqual({ ...wrong.body, requestId: null });
      expectExactErrorResponse(
        await withAccessToken(t.http().get('/v1/auth/me'), token),
        401,
        'UNAUTHENTICATED',
      );

      await patchUser(tenant, user.id, { disabled: false }).expect(200);
      await login(t, tenant.slug, user.username, user.password);
    });

    it('changes roles, displayName and email', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant, { roles: ['agent'] });
      const before = await getUser(tenant, user.id).expect(200);
      const res = await patchUser(tenant, user.id, {
        roles: ['supervisor', 'quality-manager'],
        displayName: 'Sam Super',
        email: 'sam@acme.test',
      }).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: user.id,
          username: user.username,
          roles: ['supervisor', 'quality-manager'],
          displayName: 'Sam Super',
          email: 'sam@acme.test',
          disabled: false,
        }),
      );
      expect(res.body.createdAt).toBe(before.body.createdAt);
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(before.body.updatedAt));
      const got = await getUser(tenant, user.id).expect(200);
      expect(got.body).toEqual(res.body);
      const token = await login(t, tenant.slug, user.username, user.password);
      const me = await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
      expect(me.body.roles).toEqual(['supervisor', 'quality-manager']);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['an unknown field', { foo: 'bar' }, ['foo']],
      ['a username change', { username: 'renamed' }, ['username']],
      [
        'server-owned fields (mass assignment)',
        { id: randomUUID(), tenantId: randomUUID(), passwordHash: 'x' },
        ['id', 'tenantId', 'passwordHash'],
      ],
      ['roles as a string', { roles: 'admin' }, ['roles']],
      ['roles with a non-string', { roles: ['admin', 1] }, ['roles']],
      ['disabled as a string', { disabled: 'yes' }, ['disabled']],
      ['an invalid email', { email: 'nope' }, ['email']],
    ])('refuses %s with 400, user unchanged', async (_, body, fields) => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const before = await getUser(tenant, user.id).expect(200);
      const res = await patchUser(tenant, user.id, body);
      for (const field of fields) expectValidationError(res, field);
      const after = await getUser(tenant, user.id).expect(200);
      expect(after.body).toEqual(before.body);
      await login(t, tenant.slug, user.username, user.password);
    });
  });

  describe('DELETE /v1/tenants/{slug}/users/{id}', () => {
    it('deletes: 204 with an empty body, then GET → 404 and the user cannot sign in', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const token = await login(t, tenant.slug, user.username, user.password);
      const res = await platform(t.http().delete(`${usersPath(tenant)}/${user.id}`)).expect(204);
      expect(res.text).toBe('');
      expect(res.body).toEqual({});

      expectExactErrorResponse(await getUser(tenant, user.id), 404, 'NOT_FOUND');
      expectExactErrorResponse(
        await platform(t.http().delete(`${usersPath(tenant)}/${user.id}`)),
        404,
        'NOT_FOUND',
      );
      expect((await listAll(tenant)).map((u) => u.id)).not.toContain(user.id);
      expectExactErrorResponse(
        await tryLogin(tenant, user.username, user.password),
        401,
        'INVALID_CREDENTIALS',
      );
      expectExactErrorResponse(
        await withAccessToken(t.http().get('/v1/auth/me'), token),
        401,
        'UNAUTHENTICATED',
      );
      // The username is free again.
      await postUser(tenant, validUser({ username: user.username })).expect(201);
    });
  });

  describe('audit events', () => {
    it('records USER_CREATED, USER_UPDATED (field names only) and USER_DELETED with their actors', async () => {
      const tenant = await createTenant(t);
      const token = await adminToken(t, tenant);
      const me = await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
      const adminId = me.body.id as string;

      const body = validUser({ username: 'audited', roles: ['agent'] });
      const created = await withAccessToken(t.http().post(usersPath(tenant)), token)
        .send(body)
        .expect(201);
      const id = created.body.id as string;
      const next = strongPassword();
      await platform(t.http().patch(`${usersPath(tenant)}/${id}`))
        .send({ password: next, displayName: 'Audited User', roles: ['agent', 'evaluator'] })
        .expect(200);
      await platform(t.http().delete(`${usersPath(tenant)}/${id}`)).expect(204);

      const res = await platform(
        t.http().get(`/v1/tenants/${tenant.slug}/audit-events`).query({ userId: id }),
      ).expect(200);
      const events = res.body.items as Array<Record<string, unknown>>;
      expect(events.map((e) => e.type)).toEqual(['USER_DELETED', 'USER_UPDATED', 'USER_CREATED']);
      const [deleted, updated, createdEvent] = events;

      expect(createdEvent).toEqual(
        expect.objectContaining({
          userId: id,
          actor: { type: 'user', id: adminId },
          data: expect.objectContaining({ username: 'audited' }),
        }),
      );
      expect(updated).toEqual(
        expect.objectContaining({ userId: id, actor: { type: 'platform', id: null } }),
      );
      const changes = (updated.data as { changes: string[] }).changes;
      expect([...changes].sort()).toEqual(['displayName', 'password', 'roles']);
      expect(deleted).toEqual(
        expect.objectContaining({ userId: id, actor: { type: 'platform', id: null } }),
      );

      const all = await platform(t.http().get(`/v1/tenants/${tenant.slug}/audit-events`)).expect(
        200,
      );
      const text = JSON.stringify(all.body);
      for (const secret of [body.password, next, tenant.admin.password, token])
        expect(text).not.toContain(secret);
      expect(text).not.toContain('$argon2');

      const onlyCreated = await platform(
        t
          .http()
          .get(`/v1/tenants/${tenant.slug}/audit-events`)
          .query({ type: 'USER_CREATED', userId: id }),
      ).expect(200);
      expect(onlyCreated.body.items).toHaveLength(1);
    });
  });

  describe('authorization of every tenant admin route', () => {
    interface Route {
      name: string;
      call: (slug: string, userId: string) => Test;
      ok: number;
    }
    const routes: Route[] = [
      {
        name: 'POST /users',
        call: (slug) =>
          t
            .http()
            .post(`/v1/tenants/${slug}/users`)
            .send({
              username: uniqueName('new'),
              password: strongPassword(),
              roles: ['admin'],
            }),
        ok: 201,
      },
      { name: 'GET /users', call: (slug) => t.http().get(`/v1/tenants/${slug}/users`), ok: 200 },
      {
        name: 'GET /users/{id}',
        call: (slug, id) => t.http().get(`/v1/tenants/${slug}/users/${id}`),
        ok: 200,
      },
      {
        name: 'PATCH /users/{id}',
        call: (slug, id) =>
          t
            .http()
            .patch(`/v1/tenants/${slug}/users/${id}`)
            .send({ roles: ['admin'] }),
        ok: 200,
      },
      {
        name: 'DELETE /users/{id}',
        call: (slug, id) => t.http().delete(`/v1/tenants/${slug}/users/${id}`),
        ok: 204,
      },
      {
        name: 'GET /audit-events',
        call: (slug) => t.http().get(`/v1/tenants/${slug}/audit-events`),
        ok: 200,
      },
      {
        name: 'GET /v1/tenants/{slug}',
        call: (slug) => t.http().get(`/v1/tenants/${slug}`),
        ok: 200,
      },
    ];

    it.each(routes.map((r) => [r.name, r] as const))('%s', async (_, route) => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const aAdmin = await adminToken(t, a);
      const bAdmin = await adminToken(t, b);
      const agent = await createUser(t, b, { roles: ['agent', 'supervisor'] });
      const agentToken = await login(t, b.slug, agent.username, agent.password);
      const target = await createUser(t, b, { roles: ['agent'] });
      const targetBefore = await getUser(b, target.id).expect(200);
      const usersBefore = (await listAll(b)).map((u) => u.id).sort();

      const denied: Array<[string, (req: Test) => Test, number, string]> = [
        ["tenant A's admin", (req) => withAccessToken(req, aAdmin), 403, 'FORBIDDEN'],
        ["tenant B's agent", (req) => withAccessToken(req, agentToken), 403, 'FORBIDDEN'],
        ['no credential', (req) => req, 401, 'UNAUTHENTICATED'],
        [
          'a garbage bearer',
          (req) => req.set('Authorization', 'Bearer garbage'),
          401,
          'UNAUTHENTICATED',
        ],
        [
          'a JWT-looking garbage bearer',
          (req) => withAccessToken(req, 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'),
          401,
          'UNAUTHENTICATED',
        ],
        [
          'a Basic credential',
          (req) => req.set('Authorization', 'Basic YWRtaW46YWRtaW4='),
          401,
          'UNAUTHENTICATED',
        ],
        [
          'a wrong platform key',
          (req) => req.set('X-Api-Key', `${t.platformKey}x`),
          401,
          'UNAUTHENTICATED',
        ],
        [
          "tenant B's admin with a wrong platform key",
          (req) => withAccessToken(req, bAdmin).set('X-Api-Key', 'wrong'),
          401,
          'UNAUTHENTICATED',
        ],
      ];
      for (const [who, auth, status, code] of denied) {
        const res = await auth(route.call(b.slug, target.id));
        try {
          expectExactErrorResponse(res, status, code);
        } catch (e) {
          throw new Error(`${route.name} as ${who}: ${(e as Error).message}`);
        }
      }
      // Another tenant's admin on a slug that does not exist: 403, nothing to enumerate.
      expectExactErrorResponse(
        await withAccessToken(route.call(`${a.slug}-nope`, target.id), aAdmin),
        403,
        'FORBIDDEN',
      );

      // Nothing changed.
      expect(await getUser(b, target.id).expect(200)).toHaveProperty('body', targetBefore.body);
      expect((await listAll(b)).map((u) => u.id).sort()).toEqual(usersBefore);

      const ok = await withAccessToken(route.call(b.slug, target.id), bAdmin);
      expect(ok.status).toBe(route.ok);
      const platformOk = await platform(route.call(b.slug, (await createUser(t, b)).id));
      expect(platformOk.status).toBe(route.ok);
    });

    it('granting admin takes effect at once, and removing it too, with the same token', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant, { roles: ['agent'] });
      const token = await login(t, tenant.slug, user.username, user.password);
      const list = () => withAccessToken(t.http().get(usersPath(tenant)), token);

      expectExactErrorResponse(await list(), 403, 'FORBIDDEN');
      await platform(t.http().patch(`${usersPath(tenant)}/${user.id}`))
        .send({ roles: ['admin'] })
        .expect(200);
      await list().expect(200);
      await withAccessToken(t.http().get(`/v1/tenants/${tenant.slug}`), token).expect(200);
      await withAccessToken(t.http().post(usersPath(tenant)), token)
        .send(validUser())
        .expect(201);

      await platform(t.http().patch(`${usersPath(tenant)}/${user.id}`))
        .send({ roles: ['agent'] })
        .expect(200);
      expectExactErrorResponse(await list(), 403, 'FORBIDDEN');
      expectExactErrorResponse(
        await withAccessToken(t.http().post(usersPath(tenant)), token).send(validUser()),
        403,
        'FORBIDDEN',
      );
      // The token itself stays valid for /v1/auth/me: only the role went.
      await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
    });

    it("a disabled admin's token is refused on the admin routes at once", async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant, { roles: ['admin'] });
      const token = await login(t, tenant.slug, user.username, user.password);
      await withAccessToken(t.http().get(usersPath(tenant)), token).expect(200);
      await platform(t.http().patch(`${usersPath(tenant)}/${user.id}`))
        .send({ disabled: true })
        .expect(200);
      expectExactErrorResponse(
        await withAccessToken(t.http().get(usersPath(tenant)), token),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('an admin demoting itself loses access on its next call', async () => {
      const tenant = await createTenant(t);
      const token = await adminToken(t, tenant);
      const me = await withAccessToken(t.http().get('/v1/auth/me'), token).expect(200);
      await withAccessToken(t.http().patch(`${usersPath(tenant)}/${me.body.id}`), token)
        .send({ roles: ['agent'] })
        .expect(200);
      expectExactErrorResponse(
        await withAccessToken(t.http().get(usersPath(tenant)), token),
        403,
        'FORBIDDEN',
      );
    });
  });
});
