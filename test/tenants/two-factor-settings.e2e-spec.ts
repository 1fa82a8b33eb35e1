import { randomBytes, randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import {
  adminToken,
  createTenant,
  createUser,
  login,
  TestTenant,
} from '../factories/tenants.factory';
import {
  createEmailChannel,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmail,
} from '../factories/two-factor.factory';
import type { AuditEventItem } from '../support/audit-events';
import {
  expectErrorResponse,
  expectExactErrorResponse,
  expectValidationError,
} from '../support/http-assertions';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

const DEFAULT_OTP = {
  length: 6,
  ttlSeconds: 300,
  resendCooldownSeconds: 60,
  maxAttempts: 5,
  maxResendsPerLogin: 5,
};
const DEFAULT_LOCKOUT = { maxConsecutiveFailures: 50, durationSeconds: 900 };
const DEFAULTS = {
  enabled: false,
  channelId: null,
  channelType: null,
  otp: DEFAULT_OTP,
  lockout: DEFAULT_LOCKOUT,
  recoveryCodes: { enabled: true },
  rememberDevice: { enabled: false, days: 30 },
  updatedAt: expect.any(String),
};

/** [group, field, lowest accepted, highest accepted] as API.md states the ranges. */
const RANGES: Array<['otp' | 'lockout', string, number, number]> = [
  ['otp', 'length', 6, 10],
  ['otp', 'ttlSeconds', 30, 600],
  ['otp', 'resendCooldownSeconds', 0, 3600],
  ['otp', 'maxAttempts', 1, 20],
  ['otp', 'maxResendsPerLogin', 0, 20],
  ['lockout', 'maxConsecutiveFailures', 10, 100],
  ['lockout', 'durationSeconds', 60, 86400],
];

const newAddress = (prefix = 'user') => `${prefix}-${randomBytes(4).toString('hex')}@acme.test`;

describe('Tenant admin: 2FA settings', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...UNREACHABLE_THROTTLE_LIMITS } });

  const path = (tenant: TestTenant) => `/v1/tenants/${tenant.slug}/settings/2fa`;
  const asPlatform = (req: Test) => req.set('X-Api-Key', t.platformKey);
  const get = (tenant: TestTenant) => asPlatform(t.http().get(path(tenant)));
  const put = (tenant: TestTenant, body: unknown) =>
    asPlatform(t.http().put(path(tenant))).send(body as object);

  async function auditChanges(tenant: TestTenant): Promise<AuditEventItem[]> {
    const res = await asPlatform(
      t
        .http()
        .get(`/v1/tenants/${tenant.slug}/audit-events`)
        .query({ type: 'SETTINGS_CHANGED', limit: 200 }),
    ).expect(200);
    return res.body.items as AuditEventItem[];
  }

  it('starts disabled with the documented defaults', async () => {
    const tenant = await createTenant(t);
    const res = await get(tenant).expect(200);
    expect(res.body).toEqual(DEFAULTS);
    expect(new Date(res.body.updatedAt).toISOString()).toBe(res.body.updatedAt);
  });

  it('PUT replaces: omitted fields take their defaults again', async () => {
    const tenant = await createTenant(t);
    const custom = await put(tenant, {
      enabled: false,
      channelId: null,
      otp: { length: 8, ttlSeconds: 120, maxAttempts: 3 },
      lockout: { durationSeconds: 120 },
    }).expect(200);
    const customOtp = { ...DEFAULT_OTP, length: 8, ttlSeconds: 120, maxAttempts: 3 };
    const customLockout = { ...DEFAULT_LOCKOUT, durationSeconds: 120 };
    expect(custom.body).toEqual({ ...DEFAULTS, otp: customOtp, lockout: customLockout });
    expect((await get(tenant).expect(200)).body).toEqual(custom.body);

    // Only otp.ttlSeconds given: length, maxAttempts and the lockout go back to their defaults.
    const partial = await put(tenant, {
      enabled: false,
      channelId: null,
      otp: { ttlSeconds: 90 },
    }).expect(200);
    expect(partial.body).toEqual({ ...DEFAULTS, otp: { ...DEFAULT_OTP, ttlSeconds: 90 } });

    const reset = await put(tenant, { enabled: false, channelId: null }).expect(200);
    expect(reset.body).toEqual(DEFAULTS);
    expect((await get(tenant).expect(200)).body).toEqual(DEFAULTS);
  });

  it('accepts each bound of each range and refuses the value just outside', async () => {
    const tenant = await createTenant(t);
    for (const [group, field, min, max] of RANGES) {
      for (const value of [min, max]) {
        const res = await put(tenant, {
          enabled: false,
          channelId: null,
          [group]: { [field]: value },
        });
        expect({ field: `${group}.${field}`, value, status: res.status }).toEqual({
          field: `${group}.${field}`,
          value,
          status: 200,
        });
        expect(res.body[group][field]).toBe(value);
      }
      const settled = (await get(tenant).expect(200)).body;
      for (const value of [min - 1, max + 1]) {
        const res = await put(tenant, {
          enabled: false,
          channelId: null,
          [group]: { [field]: value },
        });
        try {
          expectValidationError(res, `${group}.${field}`);
        } catch (e) {
          throw new Error(`${group}.${field} = ${value}: ${(e as Error).message}`);
        }
      }
      // A refused PUT changes nothing.
      expect((await get(tenant).expect(200)).body).toEqual(settled);
    }
  });

  it('refuses non-integers, strings, unknown fields and a missing enabled', async () => {
    const tenant = await createTenant(t);
    const base = { enabled: false, channelId: null };
    const cases: Array<[object, string]> = [
      [{ ...base, otp: { length: 6.5 } }, 'otp.length'],
      [{ ...base, otp: { length: '8' } }, 'otp.length'],
      [{ ...base, otp: { ttlSeconds: 60.1 } }, 'otp.ttlSeconds'],
      [{ ...base, otp: { resendCooldownSeconds: '60' } }, 'otp.resendCooldownSeconds'],
      [{ ...base, otp: { maxAttempts: true } }, 'otp.maxAttempts'],
      [{ ...base, otp: { maxResendsPerLogin: null } }, 'otp.maxResendsPerLogin'],
      [{ ...base, lockout: { maxConsecutiveFailures: 10.5 } }, 'lockout.maxConsecutiveFailures'],
      [{ ...base, lockout: { durationSeconds: '900' } }, 'lockout.durationSeconds'],
      [{ ...base, otp: { length: 8, digits: 8 } }, 'otp.digits'],
      [{ ...base, otp: 8 }, 'otp'],
      [{ ...base, lockout: [] }, 'lockout'],
      [{ ...base, otp: [{ length: 8 }] }, 'otp'],
      [{ ...base, channelType: 'email' }, 'channelType'],
      [{ ...base, updatedAt: new Date().toISOString() }, 'updatedAt'],
      [{ ...base, colour: 'red' }, 'colour'],
      [{ channelId: null }, 'enabled'],
      [{}, 'enabled'],
      [{ enabled: 'false', channelId: null }, 'enabled'],
      [{ enabled: 0, channelId: null }, 'enabled'],
      [{ enabled: false, channelId: 'not-a-uuid' }, 'channelId'],
      [{ enabled: true, channelId: 'not-a-uuid' }, 'channelId'],
      [{ enabled: true, channelId: 42 }, 'channelId'],
    ];
    const notRefused: string[] = [];
    for (const [body, field] of cases) {
      const res = await put(tenant, body);
      try {
        expectValidationError(res, field);
      } catch (e) {
        notRefused.push(`${JSON.stringify(body)}: ${(e as Error).message}`);
      }
    }
    expect(notRefused).toEqual([]);
    expect((await get(tenant).expect(200)).body).toEqual(DEFAULTS);
  });

  it('answers 422 TWO_FACTOR_CHANNEL_REQUIRED unless channelId names an enabled channel of this tenant', async () => {
    const tenant = await createTenant(t);
    const other = await createTenant(t);
    const otherChannel = await createEmailChannel(t, other, smtp);
    const disabled = (
      await asPlatform(t.http().post(`/v1/tenants/${tenant.slug}/channels`))
        .send({
          type: 'email',
          name: 'Disabled',
          enabled: false,
          config: { host: '127.0.0.1', port: smtp.port, from: 'no-reply@efcx.test' },
        })
        .expect(201)
    ).body.id as string;
    const laterDisabled = await createEmailChannel(t, tenant, smtp);
    await asPlatform(t.http().patch(`/v1/tenants/${tenant.slug}/channels/${laterDisabled}`))
      .send({ enabled: false })
      .expect(200);

    const bodies: Array<[string, object]> = [
      ['no channelId', { enabled: true }],
      ['null channelId', { enabled: true, channelId: null }],
      ['unknown channel', { enabled: true, channelId: randomUUID() }],
      ['disabled channel', { enabled: true, channelId: disabled }],
      ['channel disabled later', { enabled: true, channelId: laterDisabled }],
      ["another tenant's channel", { enabled: true, channelId: otherChannel }],
    ];
    for (const [what, body] of bodies) {
      const res = await put(tenant, body);
      try {
        expectExactErrorResponse(res, 422, 'TWO_FACTOR_CHANNEL_REQUIRED');
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    }
    expect((await get(tenant).expect(200)).body).toEqual(DEFAULTS);
    // The other tenant's channel was not touched.
    const otherView = await asPlatform(
      t.http().get(`/v1/tenants/${other.slug}/channels/${otherChannel}`),
    ).expect(200);
    expect(otherView.body.active).toBe(false);

    // Control: an enabled channel of this tenant is accepted.
    const good = await createEmailChannel(t, tenant, smtp);
    const ok = await put(tenant, { enabled: true, channelId: good }).expect(200);
    expect(ok.body).toEqual({ ...DEFAULTS, enabled: true, channelId: good, channelType: 'email' });
    expect((await get(tenant).expect(200)).body).toEqual(ok.body);
  });

  it('accepts enabled: false with channelId null, and audits each change with from/to', async () => {
    const tenant = await createTenant(t);
    const channelId = await createEmailChannel(t, tenant, smtp);

    const first = await put(tenant, {
      enabled: false,
      channelId: null,
      otp: { length: 8 },
    }).expect(200);
    expect(first.body).toEqual({ ...DEFAULTS, otp: { ...DEFAULT_OTP, length: 8 } });

    let events = await auditChanges(tenant);
    expect(events).toHaveLength(1);
    expect(events[0].actor.type).toBe('platform');
    let changes = events[0].data.changes as Record<string, { from: unknown; to: unknown }>;
    expect(Object.values(changes)).toEqual([{ from: 6, to: 8 }]);
    expect(Object.keys(changes)[0]).toMatch(/length/i);

    await put(tenant, {
      enabled: true,
      channelId,
      lockout: { durationSeconds: 600 },
    }).expect(200);
    events = await auditChanges(tenant);
    expect(events).toHaveLength(2);
    changes = events[0].data.changes as Record<string, { from: unknown; to: unknown }>;
    expect(Object.keys(changes)).toHaveLength(4);
    expect(changes.enabled).toEqual({ from: false, to: true });
    expect(changes.channelId).toEqual({ from: null, to: channelId });
    const byValue = Object.entries(changes);
    expect(byValue.find(([k]) => /length/i.test(k))?.[1]).toEqual({ from: 8, to: 6 });
    expect(byValue.find(([k]) => /duration/i.test(k))?.[1]).toEqual({ from: 900, to: 600 });

    const off = await put(tenant, { enabled: false, channelId: null }).expect(200);
    expect(off.body).toEqual(DEFAULTS);
    events = await auditChanges(tenant);
    changes = events[0].data.changes as Record<string, { from: unknown; to: unknown }>;
    expect(changes.enabled).toEqual({ from: true, to: false });
    expect(changes.channelId).toEqual({ from: channelId, to: null });
  });

  describe('takes effect for the very next login', () => {
    it('enabling and disabling 2FA switch the next login', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const channelId = await createEmailChannel(t, tenant, smtp);
      const signIn = () => passwordLogin(t, tenant.slug, user.username, user.password).expect(200);

      expect((await signIn()).body.status).toBe('AUTHENTICATED');
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId });
      expect((await signIn()).body).toEqual(
        expect.objectContaining({ status: 'TWO_FACTOR_REGISTRATION_REQUIRED', channel: 'email' }),
      );
      await putTwoFactorSettings(t, tenant, { enabled: false, channelId: null });
      expect((await signIn()).body.status).toBe('AUTHENTICATED');
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId });
      expect((await signIn()).body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    });

    it('a new code length and ttl apply to the next code', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const channelId = await createEmailChannel(t, tenant, smtp);
      const address = newAddress();
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId });
      await registerByEmail(t, smtp, tenant, user, address);
      const registrationCode = await smtp.codeFor(address, 1);
      expect(registrationCode).toMatch(/^\d{6}$/);

      await putTwoFactorSettings(t, tenant, { enabled: true, channelId, otp: { length: 8 } });
      const eight = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      expect(eight.body).toEqual(
        expect.objectContaining({ status: 'TWO_FACTOR_REQUIRED', delivery: 'SENT' }),
      );
      const mail = await smtp.waitFor(address, 2);
      expect(mail.text).toMatch(/code is \d{8}\b/);
      const code = await smtp.codeFor(address, 2);
      expect(code).toMatch(/^\d{8}$/);
      await mfaCall(t, eight.body.mfaToken, 'verify', { code }).expect(200);

      await putTwoFactorSettings(t, tenant, { enabled: true, channelId, otp: { ttlSeconds: 30 } });
      const before = Date.now();
      const short = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      const after = Date.now();
      expect(short.body.delivery).toBe('SENT');
      const expiresAt = Date.parse(short.body.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 29_000);
      expect(expiresAt).toBeLessThanOrEqual(after + 31_000);
      // Back to the default length with the otp group omitted.
      expect(await smtp.codeFor(address, 3)).toMatch(/^\d{6}$/);
    });
  });

  describe('who may call', () => {
    it('refuses no credential (401), another tenant admin (403) and a non-admin (403)', async () => {
      const tenant = await createTenant(t);
      const other = await createTenant(t);
      const otherAdmin = await adminToken(t, other);
      const agent = await createUser(t, tenant, { roles: ['agent', 'supervisor'] });
      const agentToken = await login(t, tenant.slug, agent.username, agent.password);
      const ownAdmin = await adminToken(t, tenant);
      const body = { enabled: false, channelId: null, otp: { length: 9 } };

      expectErrorResponse(await t.http().get(path(tenant)), 401, 'UNAUTHENTICATED');
      expectErrorResponse(await t.http().put(path(tenant)).send(body), 401, 'UNAUTHENTICATED');
      expectErrorResponse(
        await t.http().get(path(tenant)).set('Authorization', 'Bearer not-a-token'),
        401,
        'UNAUTHENTICATED',
      );
      expectErrorResponse(
        await t.http().get(path(tenant)).set('X-Api-Key', `${t.platformKey}x`),
        401,
        'UNAUTHENTICATED',
      );
      for (const token of [otherAdmin, agentToken]) {
        const auth = { Authorization: `Bearer ${token}` };
        expectExactErrorResponse(await t.http().get(path(tenant)).set(auth), 403, 'FORBIDDEN');
        expectExactErrorResponse(
          await t.http().put(path(tenant)).set(auth).send(body),
          403,
          'FORBIDDEN',
        );
      }
      expect((await get(tenant).expect(200)).body).toEqual(DEFAULTS);

      // Control: the tenant's own admin may.
      const auth = { Authorization: `Bearer ${ownAdmin}` };
      await t.http().get(path(tenant)).set(auth).expect(200);
      const changed = await t.http().put(path(tenant)).set(auth).send(body).expect(200);
      expect(changed.body.otp.length).toBe(9);
      const events = await auditChanges(tenant);
      expect(events[0].actor.type).toBe('user');
    });
  });
});
