import type { Response } from 'supertest';
import {
  adminToken,
  createTenant,
  createUser,
  TestTenant,
  TestUser,
} from '../factories/tenants.factory';
import type { AuditEventItem } from '../support/audit-events';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';

const USER_AGENT = 'efcx-e2e/1.0 (audit spec)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Tenant admin: audit events', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  const list = (slug: string, query: Record<string, string | number> = {}) =>
    t.http().get(`/v1/tenants/${slug}/audit-events`).query(query).set('X-Api-Key', t.platformKey);

  async function items(slug: string, query: Record<string, string | number> = {}) {
    const res = await list(slug, { limit: 200, ...query }).expect(200);
    expect(res.body.nextCursor).toBeNull();
    return res.body.items as AuditEventItem[];
  }

  const signIn = (tenant: TestTenant, user: TestUser, password = user.password) =>
    t
      .http()
      .post('/v1/auth/login')
      .set('User-Agent', USER_AGENT)
      .send({ tenant: tenant.slug, username: user.username, password });

  it('lists events newest first, in the documented shape', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await signIn(tenant, user).expect(200);
    await signIn(tenant, user, 'a wrong password!').expect(401);

    const res = await list(tenant.slug).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    expect(res.body.nextCursor).toBeNull();
    const events = res.body.items as AuditEventItem[];
    expect(events.map((e) => e.type)).toEqual([
      'LOGIN_FAILED',
      'LOGIN_SUCCEEDED',
      'USER_CREATED',
      'USER_CREATED',
      'TENANT_CHANGED',
    ]);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(
        ['actor', 'createdAt', 'data', 'id', 'ip', 'type', 'userAgent', 'userId'].sort(),
      );
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(e.createdAt).toISOString()).toBe(e.createdAt);
      expect(Object.keys(e.actor).sort()).toEqual(['id', 'type']);
      expect(typeof e.data).toBe('object');
    }
    const times = events.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    const [failed, succeeded, userCreated] = events;
    expect(failed).toEqual(
      expect.objectContaining({
        userId: user.id,
        actor: { type: 'user', id: user.id },
        ip: '127.0.0.1',
        userAgent: USER_AGENT,
        data: expect.objectContaining({ reason: 'wrong_password' }),
      }),
    );
    expect(succeeded).toEqual(
      expect.objectContaining({ userId: user.id, actor: { type: 'user', id: user.id } }),
    );
    expect(userCreated).toEqual(
      expect.objectContaining({
        userId: user.id,
        actor: { type: 'platform', id: null },
        ip: '127.0.0.1',
      }),
    );
  });

  it('filters by type and by userId', async () => {
    const tenant = await createTenant(t);
    const alice = await createUser(t, tenant);
    const bob = await createUser(t, tenant);
    await signIn(tenant, alice).expect(200);
    await signIn(tenant, alice, 'a wrong password!').expect(401);
    await signIn(tenant, bob).expect(200);
    await signIn(tenant, bob).expect(200);

    const succeeded = await items(tenant.slug, { type: 'LOGIN_SUCCEEDED' });
    expect(succeeded.map((e) => e.userId)).toEqual([bob.id, bob.id, alice.id]);
    expect(succeeded.every((e) => e.type === 'LOGIN_SUCCEEDED')).toBe(true);

    const aboutAlice = await items(tenant.slug, { userId: alice.id });
    expect(aboutAlice.map((e) => e.type)).toEqual([
      'LOGIN_FAILED',
      'LOGIN_SUCCEEDED',
      'USER_CREATED',
    ]);
    expect(aboutAlice.every((e) => e.userId === alice.id)).toBe(true);

    const both = await items(tenant.slug, { userId: bob.id, type: 'LOGIN_FAILED' });
    expect(both).toEqual([]);
    const aliceFailed = await items(tenant.slug, { userId: alice.id, type: 'LOGIN_FAILED' });
    expect(aliceFailed).toHaveLength(1);
  });

  it('filters by from= (inclusive) and to= (exclusive) ISO times', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await sleep(30);
    const t1 = new Date();
    await sleep(30);
    await signIn(tenant, user).expect(200);
    await sleep(30);
    const t2 = new Date();
    await sleep(30);
    await signIn(tenant, user, 'a wrong password!').expect(401);
    await sleep(30);
    const t3 = new Date();

    const all = await items(tenant.slug);
    expect(all).toHaveLength(5);

    const afterT1 = await items(tenant.slug, { from: t1.toISOString() });
    expect(afterT1.map((e) => e.type)).toEqual(['LOGIN_FAILED', 'LOGIN_SUCCEEDED']);
    const beforeT1 = await items(tenant.slug, { to: t1.toISOString() });
    expect(beforeT1.map((e) => e.type)).toEqual(['USER_CREATED', 'USER_CREATED', 'TENANT_CHANGED']);
    const between = await items(tenant.slug, { from: t1.toISOString(), to: t2.toISOString() });
    expect(between.map((e) => e.type)).toEqual(['LOGIN_SUCCEEDED']);
    expect(await items(tenant.slug, { from: t3.toISOString() })).toEqual([]);

    // An event's own createdAt bounds it: from= includes it, to= excludes it.
    const success = all.find((e) => e.type === 'LOGIN_SUCCEEDED')!;
    const fromIt = await items(tenant.slug, { from: success.createdAt });
    expect(fromIt.map((e) => e.id)).toContain(success.id);
    const toIt = await items(tenant.slug, { to: success.createdAt });
    expect(toIt.map((e) => e.id)).not.toContain(success.id);
  });

  it('walks every event exactly once with limit and cursor', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    for (let i = 0; i < 6; i++) await signIn(tenant, user, `wrong password ${i}!`).expect(401);
    await signIn(tenant, user).expect(200);

    const all = await items(tenant.slug);
    expect(all).toHaveLength(10);

    const walked: AuditEventItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await list(tenant.slug, {
        limit: 3,
        ...(cursor ? { cursor } : {}),
      }).expect(200);
      const page = res.body.items as AuditEventItem[];
      expect(page.length).toBeGreaterThan(0);
      expect(page.length).toBeLessThanOrEqual(3);
      walked.push(...page);
      cursor = res.body.nextCursor as string | null;
      if (cursor !== null) expect(cursor).toEqual(expect.any(String));
      pages++;
      expect(pages).toBeLessThanOrEqual(10);
    } while (cursor);
    expect(pages).toBe(4);
    expect(walked.map((e) => e.id)).toEqual(all.map((e) => e.id));

    // Paging a filtered listing keeps the filter on every page.
    const failedWalk: AuditEventItem[] = [];
    cursor = null;
    do {
      const res: Response = await list(tenant.slug, {
        limit: 4,
        type: 'LOGIN_FAILED',
        ...(cursor ? { cursor } : {}),
      }).expect(200);
      failedWalk.push(...(res.body.items as AuditEventItem[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(failedWalk).toHaveLength(6);
    expect(failedWalk.every((e) => e.type === 'LOGIN_FAILED')).toBe(true);
  });

  it.each<[string, Record<string, string | number>, string]>([
    ['an unknown type', { type: 'LOGIN_EXPLODED' }, 'type'],
    ['a lower-case type', { type: 'login_failed' }, 'type'],
    ['a userId that is not a uuid', { userId: 'alice' }, 'userId'],
    ['a from that is not a date', { from: 'yesterday' }, 'from'],
    ['an impossible date', { from: '2024-13-45T00:00:00Z' }, 'from'],
    ['a to that is not a date', { to: '12/31/2024' }, 'to'],
    ['limit 0', { limit: 0 }, 'limit'],
    ['a negative limit', { limit: -1 }, 'limit'],
    ['a limit over the maximum', { limit: 100000 }, 'limit'],
    ['a limit that is not a number', { limit: 'ten' }, 'limit'],
    ['a forged cursor', { cursor: Buffer.from('1 OR 1=1').toString('base64url') }, 'cursor'],
  ])('answers %s with 400 VALIDATION_FAILED', async (_name, query, field) => {
    const tenant = await createTenant(t);
    const res = await list(tenant.slug, query);
    expectErrorResponse(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]),
    );
  });

  it('answers 404 NOT_FOUND for a tenant that does not exist', async () => {
    expectErrorResponse(await list(`no-such-${Date.now().toString(36)}`), 404, 'NOT_FOUND');
  });

  it("never shows tenant A's events in tenant B's listing", async () => {
    const a = await createTenant(t);
    const b = await createTenant(t);
    const aliceOfA = await createUser(t, a);
    await signIn(a, aliceOfA).expect(200);
    await signIn(a, aliceOfA, 'a wrong password!').expect(401);
    // The same username in B: login attempts on A must not land in B.
    const aliceOfB = await createUser(t, b, { username: aliceOfA.username });

    const eventsA = await items(a.slug);
    const eventsB = await items(b.slug);
    const idsA = new Set(eventsA.map((e) => e.id));
    expect(eventsB.filter((e) => idsA.has(e.id))).toEqual([]);
    expect(eventsB.some((e) => e.userId === aliceOfA.id || e.actor.id === aliceOfA.id)).toBe(false);
    expect(eventsB.map((e) => e.type)).toEqual(['USER_CREATED', 'USER_CREATED', 'TENANT_CHANGED']);
    expect(eventsB[0].userId).toBe(aliceOfB.id);

    expect(await items(b.slug, { userId: aliceOfA.id })).toEqual([]);
    expect(await items(b.slug, { type: 'LOGIN_SUCCEEDED' })).toEqual([]);
    expect(await items(b.slug, { type: 'LOGIN_FAILED' })).toEqual([]);
  });

  it("answers a tenant admin's token on its own tenant, and 403 on another's", async () => {
    const a = await createTenant(t);
    const b = await createTenant(t);
    const token = await adminToken(t, a);
    const res = await t
      .http()
      .get(`/v1/tenants/${a.slug}/audit-events`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const own = res.body.items as AuditEventItem[];
    expect(own[0]).toEqual(expect.objectContaining({ type: 'LOGIN_SUCCEEDED' }));
    expect(own[0].actor).toEqual({ type: 'user', id: own[0].userId });

    const other = await t
      .http()
      .get(`/v1/tenants/${b.slug}/audit-events`)
      .set('Authorization', `Bearer ${token}`);
    expectErrorResponse(other, 403, 'FORBIDDEN');
  });

  it('refuses a non-admin token with 403 and no credential with 401', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const login = await signIn(tenant, user).expect(200);
    const agent = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/audit-events`)
      .set('Authorization', `Bearer ${login.body.accessToken}`);
    expectErrorResponse(agent, 403, 'FORBIDDEN');
    expectErrorResponse(
      await t.http().get(`/v1/tenants/${tenant.slug}/audit-events`),
      401,
      'UNAUTHENTICATED',
    );
  });
});
