import { DataSource } from 'typeorm';
import { PrecisUsernames1796200000000 } from '../../migrations/1796200000000-PrecisUsernames';
import { auditEvents } from '../support/audit-events';
import { createTenant, createUser, strongPassword, TestTenant } from '../factories/tenants.factory';
import { passwordLogin } from '../factories/two-factor.factory';
import { expectExactErrorResponse, expectValidationError } from '../support/http-assertions';
import { useTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

/** API.md v1.1 §10: usernames prepared with RFC 8265 UsernameCaseMapped. */
describe('Usernames (RFC 8265 PRECIS UsernameCaseMapped)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  useTestApp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS });
  beforeAll(async () => {
    tenant = await createTenant(t);
  });

  const postUser = (body: Record<string, unknown>) =>
    t
      .http()
      .post(`/v1/tenants/${tenant.slug}/users`)
      .set('X-Api-Key', t.platformKey)
      .send({ password: strongPassword(), roles: ['agent'], ...body });
  const login = (username: string, password: string) =>
    t.http().post('/v1/auth/login').send({ tenant: tenant.slug, username, password });

  it('stores the prepared name, compares prepared names, and signs ＡＬＩＣＥ in as alice', async () => {
    const password = strongPassword();
    const created = await postUser({ username: 'ＡＬＩＣＥ', password }).expect(201);
    expect(created.body.username).toBe('alice');
    for (const variant of ['Alice', 'alice', 'ａｌｉｃｅ']) {
      expectExactErrorResponse(await postUser({ username: variant }), 409, 'CONFLICT');
    }
    for (const variant of ['ＡＬＩＣＥ', 'ALICE', 'alice']) {
      const res = await login(variant, password).expect(200);
      expect(res.body.status).toBe('AUTHENTICATED');
    }
    const found = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/users`)
      .query({ username: 'ＡＬ' })
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(found.body.items.map((u: { username: string }) => u.username)).toEqual(['alice']);
    // Composed and decomposed é are one name.
    const jose = await postUser({ username: 'José' }).expect(201);
    expect(jose.body.username).toBe('josé');
    expectExactErrorResponse(await postUser({ username: 'JOSE\u0301' }), 409, 'CONFLICT');
    // Unicode lower case maps İ to i + U+0307: another name than alice, which alice's password
    // does not open (one preparation for lookup and throttling, so no variant reaches alice).
    expectExactErrorResponse(await login('alİce', password), 401, 'INVALID_CREDENTIALS');
  });

  it.each([
    ['zero-width space', 'ali\u200bce'],
    ['zero-width joiner', 'ali\u200dce'],
    ['zero-width non-joiner', 'ali\u200cce'],
    ['right-to-left override', '\u202eecila'],
    ['unassigned code point', 'ali\u0378ce'],
    ['control character', 'ali\u0007ce'],
    ['leading space', ' alice'],
    ['trailing space', 'alice '],
  ])('refuses a %s with 400 VALIDATION_FAILED, on create and on login', async (_what, username) => {
    expectValidationError(await postUser({ username }), 'username');
    expectValidationError(await login(username, 'whatever-password'), 'username');
  });

  it('refuses email addresses with control characters or over the RFC 5321 lengths', async () => {
    const domain = '@acme.test';
    await postUser({ username: 'mail-ok', email: `${'a'.repeat(64)}${domain}` }).expect(201);
    for (const email of [
      `${'a'.repeat(65)}${domain}`,
      `${'a'.repeat(63)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.test`, // 259
      '"a\u0007b"@acme.test',
      'a\u0085b@acme.test',
    ]) {
      expectValidationError(await postUser({ username: 'mail-bad', email }), 'email');
    }
  });

  it('the migration prepares stored names; the newer of two that collide becomes <name>-<id prefix>, with USER_UPDATED', async () => {
    const other = await createTenant(t);
    const ds = t.app.get(DataSource);
    const insert = async (username: string, createdAt: string): Promise<string> => {
      const rows = (await ds.query(
        `INSERT INTO users (tenant_id, username, password_hash, created_at)
         VALUES ($1, $2, 'x', $3) RETURNING id`,
        [other.id, username, createdAt],
      )) as Array<{ id: string }>;
      return rows[0].id;
    };
    // Spellings the old rules (lower() only) let through side by side.
    const older = await insert('ＢＯＢ', '2026-01-01T00:00:00Z');
    const newer = await insert('bob', '2026-02-01T00:00:00Z');
    const decomposed = await insert('Rene\u0301', '2026-01-01T00:00:00Z');
    const composed = await insert('RENÉ', '2026-03-01T00:00:00Z');
    const plain = await insert('Carol', '2026-01-01T00:00:00Z');
    const runner = ds.createQueryRunner();
    try {
      await new PrecisUsernames1796200000000().up(runner);
    } finally {
      await runner.release();
    }
    const names = new Map(
      (
        (await ds.query('SELECT id, username FROM users WHERE tenant_id = $1', [
          other.id,
        ])) as Array<{
          id: string;
          username: string;
        }>
      ).map((r) => [r.id, r.username]),
    );
    expect(names.get(older)).toBe('bob');
    expect(names.get(newer)).toBe(`bob-${newer.slice(0, 8)}`);
    expect(names.get(decomposed)).toBe('rené');
    expect(names.get(composed)).toBe(`rené-${composed.slice(0, 8)}`);
    expect(names.get(plain)).toBe('carol');
    expect(names.get((await createUserId(other)) ?? '')).toBe('admin');

    const events = await auditEvents(t, other.slug, { type: 'USER_UPDATED' });
    expect(events.map((e) => e.userId).sort()).toEqual([newer, composed].sort());
    const bobEvent = events.find((e) => e.userId === newer);
    expect(bobEvent).toMatchObject({
      actor: { type: 'platform', id: null },
      data: {
        changes: ['username'],
        reason: 'username_collision',
        previousUsername: 'bob',
        username: `bob-${newer.slice(0, 8)}`,
        collidesWith: 'bob',
      },
    });
    // Idempotent: a second run changes nothing and writes nothing.
    const again = ds.createQueryRunner();
    try {
      await new PrecisUsernames1796200000000().up(again);
    } finally {
      await again.release();
    }
    expect(await auditEvents(t, other.slug, { type: 'USER_UPDATED' })).toHaveLength(2);
  });

  async function createUserId(of: TestTenant): Promise<string | undefined> {
    const rows = (await t.app
      .get(DataSource)
      .query(`SELECT id FROM users WHERE tenant_id = $1 AND username = 'admin'`, [
        of.id,
      ])) as Array<{
      id: string;
    }>;
    return rows[0]?.id;
  }
});

describe('Usernames share one throttle bucket whatever their spelling', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '3' } });

  it('wrong passwords as ＡＬＩＣＥ, Alice and ALICE use up alice’s per-minute failures', async () => {
    const tenant = await createTenant(t);
    const alice = await createUser(t, tenant, { username: 'alice' });
    for (const variant of ['ＡＬＩＣＥ', 'Alice', 'ALICE']) {
      await passwordLogin(t, tenant.slug, variant, 'wrong-password-1').expect(401);
    }
    const res = await passwordLogin(t, tenant.slug, 'alice', alice.password).expect(429);
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
