import { Redis } from 'ioredis';
import { createTenant, createUser, TestTenant, TestUser } from '../factories/tenants.factory';
import { enableEmailTwoFactor, mfaCall, passwordLogin } from '../factories/two-factor.factory';
import { expectExactErrorResponse } from '../support/http-assertions';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';
import {
  deleteKeysUnder,
  keysUnder,
  REDIS_URL,
  redisClient,
  uniqueKeyPrefix,
} from './redis-support';

const badLogin = { tenant: 'x', username: 'y', password: 'z' };

/** Two instances of the service on one database and one Redis, as behind a load balancer. */
async function startPair(env: Record<string, string>, throttleKeyPrefix: string) {
  const a = await startTestApp({ env: { REDIS_URL, ...env }, throttleKeyPrefix });
  const b = await startTestApp({
    env: { REDIS_URL, ...env },
    throttleKeyPrefix,
    databaseUrl: a.databaseUrl,
  });
  return [a, b] as const;
}

/**
 * For one describe block: a pair of instances (startPair) with `env`, counting under `prefix`,
 * and a Redis client to read the counters; the counters go with the pair.
 */
function usePair(
  env: Record<string, string>,
  prefix: string,
  bind: (pair: { a: TestApp; b: TestApp; client: Redis }) => void,
): void {
  let pair: { a: TestApp; b: TestApp; client: Redis } | undefined;
  beforeAll(async () => {
    const client = redisClient();
    const [a, b] = await startPair(env, prefix);
    pair = { a, b, client };
    bind(pair);
  });
  afterAll(async () => {
    if (!pair) return;
    await pair.b.close();
    await pair.a.close();
    await deleteKeysUnder(pair.client, prefix);
    pair.client.disconnect();
  });
}

/** One wrong password for `user` on each of `instances` in turn, each refused (401). */
async function failPasswords(instances: TestApp[], tenant: TestTenant, user: TestUser) {
  for (const [i, t] of instances.entries())
    await passwordLogin(t, tenant.slug, user.username, `wrong-${i}-password`).expect(401);
}

/** The right password for `user` on each of `instances`: the Retry-After of each 429. */
async function retryAfterOfBlocked(instances: TestApp[], tenant: TestTenant, user: TestUser) {
  const retryAfter: number[] = [];
  for (const t of instances) {
    const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(429);
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    retryAfter.push(Number(res.headers['retry-after']));
  }
  return retryAfter;
}

describe('THROTTLE_IP_PER_MINUTE shared by two instances through Redis', () => {
  const prefix = uniqueKeyPrefix();
  let client: Redis;
  let a: TestApp;
  let b: TestApp;
  usePair(
    { THROTTLE_IP_PER_MINUTE: '6', THROTTLE_USER_PER_MINUTE: '1000' },
    prefix,
    (pair) => ({ a, b, client } = pair),
  );

  it('requests split across both instances hit 429 at the shared limit, on both', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = i % 2 ? b : a;
      statuses.push((await t.http().post('/v1/auth/login').send(badLogin)).status);
    }
    // Each instance has seen 3: alone, neither would be near its limit of 6.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    for (const t of [a, b]) {
      const res = await t.http().post('/v1/auth/login').send(badLogin);
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    // The counter is in Redis, under this run's prefix, with the window's expiry.
    const keys = await keysUnder(client, `${prefix}throttle:ip:`);
    expect(keys).toHaveLength(1);
    expect(Number(await client.get(keys[0]))).toBe(8);
    const ttl = await client.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Not an auth route: not throttled.
    await b.http().get('/health/live').expect(200);
  });
});

describe('THROTTLE_USER_PER_MINUTE shared by two instances through Redis', () => {
  const prefix = uniqueKeyPrefix();
  const smtp = new SmtpSink();
  let client: Redis;
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => smtp.start());
  usePair(
    { THROTTLE_IP_PER_MINUTE: '1000', THROTTLE_USER_PER_MINUTE: '3' },
    prefix,
    (pair) => ({ a, b, client } = pair),
  );
  afterAll(() => smtp.stop());

  it('failed passwords on either instance block the account on both; others are unaffected', async () => {
    const tenant = await createTenant(a);
    const victim = await createUser(a, tenant);
    const bystander = await createUser(a, tenant);
    await failPasswords([a, b, a], tenant, victim);
    for (const retryAfter of await retryAfterOfBlocked([b, a], tenant, victim))
      expect(retryAfter).toBeGreaterThan(0);
    await passwordLogin(b, tenant.slug, bystander.username, bystander.password).expect(200);
    // Passport keeps one strategy per name per process, so in this process both instances check
    // passwords through the same AuthService: the Redis counter is what proves the sharing here.
    const failures = await keysUnder(client, `${prefix}fail:`);
    expect(failures).toHaveLength(1);
    expect(await client.get(failures[0])).toBe('3');
    // Usernames, tenants and IPs never reach Redis in clear.
    for (const key of await keysUnder(client, prefix)) {
      expect(key).not.toContain(victim.username);
      expect(key).not.toContain(tenant.slug);
    }
  });

  it('2FA calls of one account, split across both instances, hit 429 at the shared limit', async () => {
    const tenant = await createTenant(a);
    const user = await createUser(a, tenant);
    await enableEmailTwoFactor(a, tenant, smtp);
    const login = await passwordLogin(b, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    const statuses: number[] = [];
    for (const t of [a, b, a, b, a]) {
      statuses.push((await mfaCall(t, login.body.mfaToken, 'verify', { code: '000000' })).status);
    }
    // Three calls per minute for the account: each instance alone has seen at most three.
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });
});

describe('THROTTLE_ACCOUNT_FAILURES_PER_HOUR shared by two instances through Redis', () => {
  const prefix = uniqueKeyPrefix();
  let client: Redis;
  let a: TestApp;
  let b: TestApp;
  usePair(
    {
      THROTTLE_IP_PER_MINUTE: '1000',
      THROTTLE_USER_PER_MINUTE: '1000',
      THROTTLE_ACCOUNT_FAILURES_PER_HOUR: '3',
    },
    prefix,
    (pair) => ({ a, b, client } = pair),
  );

  it('failures on either instance count in one hourly Redis counter; both answer 429 past it', async () => {
    const tenant = await createTenant(a);
    const victim = await createUser(a, tenant);
    await failPasswords([a, b, a, b], tenant, victim);
    for (const retryAfter of await retryAfterOfBlocked([a, b], tenant, victim))
      expect(retryAfter).toBeGreaterThan(60);
    const keys = await keysUnder(client, `${prefix}acct:`);
    expect(keys).toHaveLength(1);
    expect(await client.get(keys[0])).toBe('4');
    const ttl = await client.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(keys[0]).not.toContain(victim.username);
  });
});

describe('Redis unreachable: the limits fail closed', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there. The machine's Redis is never stopped.
    t = await startTestApp({
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
      throttleKeyPrefix: uniqueKeyPrefix(),
    });
  });
  afterAll(() => t?.close());

  it('POST /v1/auth/login answers 503 SERVICE_UNAVAILABLE in the error shape, right password or not', async () => {
    const tenant = await createTenant(t); // /v1/tenants is not rate limited
    for (const password of [tenant.admin.password, 'a-wrong-password']) {
      const started = Date.now();
      const res = await t
        .http()
        .post('/v1/auth/login')
        .send({ tenant: tenant.slug, username: tenant.admin.username, password });
      expectExactErrorResponse(res, 503, 'SERVICE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.stringify(res.body)).not.toMatch(/redis|127\.0\.0\.1|ECONNREFUSED/i);
      expect(Date.now() - started).toBeLessThan(3000);
    }
    const me = await t.http().get('/v1/auth/me');
    expectExactErrorResponse(me, 503, 'SERVICE_UNAVAILABLE');
    await t.http().get('/health/live').expect(200);
    await t.http().get('/v1/tenants').set('X-Api-Key', t.platformKey).expect(200);
  });
});
