import { createTenant, createUser } from '../factories/tenants.factory';
import { passwordLogin } from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectErrorResponse, expectTooManyRequests } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';

/**
 * API.md v1.1 §9: wrong passwords also count per tenant + username across every address. The
 * per-address limit (THROTTLE_USER_PER_MINUTE) is kept above what any one address sends here, so
 * only the account limit can answer 429.
 */
/** Clients behind our proxy (X-Forwarded-For names each one), never limited per address. */
const BEHIND_PROXY = { TRUST_PROXY: '127.0.0.1', THROTTLE_IP_PER_MINUTE: '1000000' };

describe('THROTTLE_ACCOUNT_FAILURES_PER_HOUR (default 100)', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { ...BEHIND_PROXY, THROTTLE_USER_PER_MINUTE: '25' } });

  const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
  const login = (tenant: string, username: string, password: string, ip: string) =>
    passwordLogin(t, tenant, username, password).set('X-Forwarded-For', ip);

  it('101 wrong passwords from 5 addresses: then even the right password from a sixth gets 429 with Retry-After; LOGIN_THROTTLED once; other accounts unaffected', async () => {
    const tenant = await createTenant(t);
    const victim = await createUser(t, tenant, { username: 'victim' });
    const bystander = await createUser(t, tenant);
    // 100 failures: within the limit, the right password still works.
    for (let i = 0; i < 100; i++)
      await login(tenant.slug, i % 2 ? 'victim' : 'VICTIM', `wrong-${i}`, ips[i % 5]).expect(401);
    await login(tenant.slug, 'victim', victim.password, '203.0.113.77').expect(200);
    // The 101st: more than 100 in the hour.
    await login(tenant.slug, 'victim', 'wrong-100', ips[100 % 5]).expect(401);

    const res = await login(tenant.slug, 'victim', victim.password, '203.0.113.77').expect(429);
    const retryAfter = expectTooManyRequests(res);
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Every address, every spelling of the name (one prepared key).
    for (const ip of ips) await login(tenant.slug, 'Victim', victim.password, ip).expect(429);

    await login(tenant.slug, bystander.username, bystander.password, ips[0]).expect(200);

    const throttled = await auditEvents(t, tenant.slug, { type: 'LOGIN_THROTTLED' });
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({
      userId: victim.id,
      ip: ips[0],
      data: { reason: 'account_failures', username: 'victim', limitPerHour: 100 },
    });
  });
});

describe('THROTTLE_ACCOUNT_FAILURES_PER_HOUR set low', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), {
    env: {
      ...BEHIND_PROXY,
      THROTTLE_USER_PER_MINUTE: '1000',
      THROTTLE_ACCOUNT_FAILURES_PER_HOUR: '3',
    },
  });

  it('counts unknown usernames like known ones (429 tells nothing about who exists)', async () => {
    const tenant = await createTenant(t);
    await createUser(t, tenant, { username: 'real' });
    const statuses = async (username: string) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++)
        out.push(
          (
            await passwordLogin(t, tenant.slug, username, 'wrong-password').set(
              'X-Forwarded-For',
              `192.0.2.${i + 1}`,
            )
          ).status,
        );
      return out;
    };
    expect(await statuses('real')).toEqual([401, 401, 401, 401, 429]);
    expect(await statuses('ghost')).toEqual([401, 401, 401, 401, 429]);
    const events = await auditEvents(t, tenant.slug, { type: 'LOGIN_THROTTLED' });
    expect(events.map((e) => e.data)).toEqual([
      { reason: 'account_failures', limitPerHour: 3 },
      { reason: 'account_failures', username: 'real', limitPerHour: 3 },
    ]);
  });

  it("v1.1 §9: while the account is throttled, the owner's device token still gets in; none, a foreign or a revoked one does not", async () => {
    const tenant = await createTenant(t);
    const owner = await createUser(t, tenant, { username: 'owner' });
    const other = await createUser(t, tenant);
    const loginWith = (user: { username: string; password: string }, deviceToken?: string) =>
      passwordLogin(
        t,
        tenant.slug,
        user.username,
        user.password,
        deviceToken ? { deviceToken } : {},
      ).set('X-Forwarded-For', '203.0.113.9');
    const ownDevice = (await loginWith(owner).expect(200)).body.deviceToken as string;
    const spare = (await loginWith(owner).expect(200)).body;
    const foreignDevice = (await loginWith(other).expect(200)).body.deviceToken as string;
    for (let i = 0; i < 4; i++)
      await t
        .http()
        .post('/v1/auth/login')
        .set('X-Forwarded-For', `192.0.2.${i + 10}`)
        .send({ tenant: tenant.slug, username: 'owner', password: `guess-${i}` })
        .expect(401);

    expectErrorResponse(await loginWith(owner), 429, 'TOO_MANY_REQUESTS');
    expectErrorResponse(await loginWith(owner, foreignDevice), 429, 'TOO_MANY_REQUESTS');
    const exempt = await loginWith(owner, ownDevice).expect(200);
    expect(exempt.body).toMatchObject({ status: 'AUTHENTICATED', deviceToken: ownDevice });
    // An exempt login with a wrong password is still a wrong password (and still counted).
    expectErrorResponse(
      await loginWith({ username: 'owner', password: 'another-guess' }, ownDevice),
      401,
      'INVALID_CREDENTIALS',
    );
    // A revoked device exempts nothing (the owner revokes every device of theirs).
    const devices = await t
      .http()
      .get('/v1/auth/me/devices')
      .set('Authorization', `Bearer ${spare.accessToken as string}`)
      .expect(200);
    const ids = (devices.body.items as Array<{ id: string }>).map((d) => d.id);
    for (const id of ids)
      await t
        .http()
        .delete(`/v1/auth/me/devices/${id}`)
        .set('Authorization', `Bearer ${spare.accessToken as string}`)
        .expect(204);
    expectErrorResponse(await loginWith(owner, ownDevice), 429, 'TOO_MANY_REQUESTS');
  });
});
