import {
  adminToken,
  createTenant,
  createUser,
  login,
  strongPassword,
  uniqueSlug,
  updateUser,
  disableTenant,
} from '../factories/tenants.factory';
import type { AuditEventItem } from '../support/audit-events';
import { expectErrorResponse, withoutRequestId } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';

const USER_AGENT = 'efcx-e2e/1.0 (auth spec)';

/** Every audit event of a tenant (platform key), newest first, following the cursor. */
async function allEvents(t: TestApp, slug: string, query = ''): Promise<AuditEventItem[]> {
  const items: AuditEventItem[] = [];
  let cursor: string | null = null;
  do {
    const res = await t
      .http()
      .get(`/v1/tenants/${slug}/audit-events`)
      .query(`limit=200${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    items.push(...(res.body.items as AuditEventItem[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

const postLogin = (t: TestApp, body: unknown) =>
  t
    .http()
    .post('/v1/auth/login')
    .set('User-Agent', USER_AGENT)
    .send(body as object);

function loginCounter(metrics: string, outcome: string): number {
  const m = new RegExp(
    `^efcx_logins_total\\{outcome="${outcome}"\\} (\\d+(?:\\.\\d+)?)$`,
    'm',
  ).exec(metrics);
  return m ? Number(m[1]) : 0;
}

describe('Login and /v1/auth/me', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  it('answers exactly { status, accessToken, refreshToken, tokenType, expiresIn } on success', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const res = await postLogin(t, {
      tenant: tenant.slug,
      username: user.username,
      password: user.password,
    }).expect(200);
    expect(res.body).toEqual({
      status: 'AUTHENTICATED',
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      deviceToken: expect.stringMatching(/^[\w-]{43}$/),
    });
  });

  it('matches the username case-insensitively', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant, { username: 'Alice.Mixed' });
    for (const username of ['alice.mixed', 'ALICE.MIXED', 'aLiCe.MiXeD']) {
      const res = await postLogin(t, {
        tenant: tenant.slug,
        username,
        password: user.password,
      }).expect(200);
      expect(res.body.status).toBe('AUTHENTICATED');
      const me = await t
        .http()
        .get('/v1/auth/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.id).toBe(user.id);
      expect(me.body.username).toBe('alice.mixed'); // stored prepared (v1.1 §10)
    }
  });

  it('answers one INVALID_CREDENTIALS for unknown tenant, unknown user, wrong password, disabled user and tenant; the audit log keeps the reason and never the password', async () => {
    const tenant = await createTenant(t);
    const alice = await createUser(t, tenant);
    const bob = await createUser(t, tenant);
    const wrongPassword = `wrong-${strongPassword()}`;
    const unknownUserPassword = `nobody-${strongPassword()}`;

    const unknownTenant = await postLogin(t, {
      tenant: uniqueSlug('nope'),
      username: alice.username,
      password: alice.password,
    });
    const unknownUser = await postLogin(t, {
      tenant: tenant.slug,
      username: 'no-such-user',
      password: unknownUserPassword,
    });
    const wrong = await postLogin(t, {
      tenant: tenant.slug,
      username: alice.username,
      password: wrongPassword,
    });

    await updateUser(t, tenant, bob.id, { disabled: true });
    const disabledUser = await postLogin(t, {
      tenant: tenant.slug,
      username: bob.username,
      password: bob.password,
    });

    await disableTenant(t, tenant);
    const disabledTenant = await postLogin(t, {
      tenant: tenant.slug,
      username: alice.username,
      password: alice.password,
    });

    const answers = [unknownTenant, unknownUser, wrong, disabledUser, disabledTenant];
    for (const res of answers) expectErrorResponse(res, 401, 'INVALID_CREDENTIALS');
    const bodies = answers.map((res) => withoutRequestId(res.body as Record<string, unknown>));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(Object.keys(bodies[0]).sort()).toEqual(['code', 'message', 'statusCode']);

    const failed = await allEvents(t, tenant.slug, 'type=LOGIN_FAILED');
    expect(failed.map((e) => e.data.reason).sort()).toEqual(
      ['tenant_disabled', 'unknown_user', 'user_disabled', 'wrong_password'].sort(),
    );
    const byReason = new Map(failed.map((e) => [e.data.reason, e]));
    expect(byReason.get('wrong_password')!.userId).toBe(alice.id);
    expect(byReason.get('user_disabled')!.userId).toBe(bob.id);
    expect(byReason.get('tenant_disabled')!.userId).toBe(alice.id);
    expect(byReason.get('unknown_user')!.userId).toBeNull();
    for (const e of failed) {
      expect(e.ip).toBe('127.0.0.1');
      expect(e.userAgent).toBe(USER_AGENT);
    }

    const everything = JSON.stringify(await allEvents(t, tenant.slug));
    for (const secret of [
      wrongPassword,
      unknownUserPassword,
      alice.password,
      bob.password,
      tenant.admin.password,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('records LOGIN_SUCCEEDED with the user as actor, the client IP and the user agent', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await postLogin(t, {
      tenant: tenant.slug,
      username: user.username,
      password: user.password,
    }).expect(200);
    const events = await allEvents(t, tenant.slug, 'type=LOGIN_SUCCEEDED');
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(
      expect.objectContaining({
        type: 'LOGIN_SUCCEEDED',
        userId: user.id,
        actor: { type: 'user', id: user.id },
        ip: '127.0.0.1',
        userAgent: USER_AGENT,
      }),
    );
    expect(JSON.stringify(events)).not.toContain(user.password);
  });

  describe('body validation', () => {
    let slug: string;
    let username: string;
    let password: string;
    beforeAll(async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      slug = tenant.slug;
      username = user.username;
      password = user.password;
    });

    const cases: Array<[string, () => Record<string, unknown>, string[]]> = [
      ['an empty body', () => ({}), ['tenant', 'username', 'password']],
      ['a missing tenant', () => ({ username, password }), ['tenant']],
      ['a missing username', () => ({ tenant: slug, password }), ['username']],
      ['a missing password', () => ({ tenant: slug, username }), ['password']],
      [
        'a numeric password',
        () => ({ tenant: slug, username, password: 123456789012 }),
        ['password'],
      ],
      ['an array password', () => ({ tenant: slug, username, password: [password] }), ['password']],
      [
        'an object username',
        () => ({ tenant: slug, username: { $ne: '' }, password }),
        ['username'],
      ],
      [
        'an unknown field',
        () => ({ tenant: slug, username, password, remember: true }),
        ['remember'],
      ],
      [
        'a username with a NUL',
        () => ({ tenant: slug, username: `${username}\u0000`, password }),
        ['username'],
      ],
      [
        'a username with a newline',
        () => ({ tenant: slug, username: `${username}\n`, password }),
        ['username'],
      ],
      [
        'a username with an escape',
        () => ({ tenant: slug, username: `\u001b${username}`, password }),
        ['username'],
      ],
    ];

    it.each(cases)(
      'answers %s with 400 VALIDATION_FAILED and details',
      async (_name, body, fields) => {
        const res = await postLogin(t, body());
        expectErrorResponse(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual(expect.any(Array));
        const reported = (res.body.details as Array<{ field: string; message: string }>).map(
          (d) => {
            expect(d).toEqual({ field: expect.any(String), message: expect.any(String) });
            return d.field;
          },
        );
        for (const field of fields) expect(reported).toContain(field);
        expect(JSON.stringify(res.body)).not.toContain(password);
      },
    );
  });

  it('GET /v1/auth/me answers the signed-in user', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant, { roles: ['agent', 'supervisor'] });
    const token = await login(t, tenant.slug, user.username, user.password);
    const res = await t
      .http()
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body).toEqual({
      id: user.id,
      username: user.username,
      tenant: tenant.slug,
      roles: ['agent', 'supervisor'],
      twoFactor: expect.objectContaining({ registered: false }),
    });
    expect(JSON.stringify(res.body)).not.toContain(user.password);

    const admin = await t
      .http()
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${await adminToken(t, tenant)}`)
      .expect(200);
    expect(admin.body).toEqual(
      expect.objectContaining({
        username: tenant.admin.username,
        tenant: tenant.slug,
        roles: ['admin'],
      }),
    );
  });

  it.each<[string, Record<string, string>]>([
    ['no credential', {}],
    ['Authorization: Basic', { Authorization: 'Basic x' }],
    [
      'Basic with real credentials',
      { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    ],
    ['an empty Bearer', { Authorization: 'Bearer ' }],
    ['a garbage Bearer', { Authorization: 'Bearer not.a.jwt' }],
  ])('GET /v1/auth/me with %s → 401 UNAUTHENTICATED', async (_name, headers) => {
    const res = await t.http().get('/v1/auth/me').set(headers);
    expectErrorResponse(res, 401, 'UNAUTHENTICATED');
  });

  it('GET /v1/auth/me with the platform key alone → 401 UNAUTHENTICATED', async () => {
    const res = await t.http().get('/v1/auth/me').set('X-Api-Key', t.platformKey);
    expectErrorResponse(res, 401, 'UNAUTHENTICATED');
  });

  it('counts logins by outcome in /metrics', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const before = (await t.http().get('/metrics').expect(200)).text;

    await postLogin(t, {
      tenant: tenant.slug,
      username: user.username,
      password: user.password,
    }).expect(200);
    await postLogin(t, {
      tenant: tenant.slug,
      username: user.username,
      password: 'not-the-password',
    }).expect(401);
    await postLogin(t, {
      tenant: tenant.slug,
      username: 'ghost',
      password: 'not-the-password',
    }).expect(401);

    const after = await t.http().get('/metrics').expect(200);
    expect(after.headers['content-type']).toMatch(/^text\/plain/);
    expect(after.text).toMatch(/^efcx_logins_total\{outcome="authenticated"\} \d+/m);
    expect(after.text).toMatch(/^efcx_logins_total\{outcome="invalid_credentials"\} \d+/m);
    expect(loginCounter(after.text, 'authenticated')).toBe(
      loginCounter(before, 'authenticated') + 1,
    );
    expect(loginCounter(after.text, 'invalid_credentials')).toBe(
      loginCounter(before, 'invalid_credentials') + 2,
    );
  });
});

describe('Login under hash overload (HASH_CONCURRENCY=1, HASH_QUEUE_MAX=0)', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '0' } });

  it('sheds load with 503 SERVICE_UNAVAILABLE and Retry-After, still serving some logins, never 500', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        postLogin(t, { tenant: tenant.slug, username: user.username, password: user.password }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const shed = results.filter((r) => r.status === 503);
    expect(shed.length).toBeGreaterThanOrEqual(1);
    for (const res of shed) {
      expectErrorResponse(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body.details).toBeUndefined();
    }
    for (const res of results.filter((r) => r.status === 200))
      expect(res.body.status).toBe('AUTHENTICATED');
  });
});
