import { randomBytes } from 'node:crypto';
import { DevicePurgeJob } from '../../src/sessions/device-purge.job';
import {
  createTenant,
  createUser,
  TestTenant,
  TestUser,
  updateUser,
} from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmailAnswer,
  registeredEmailUser,
  resetTwoFactor,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { queryDb } from '../support/database';
import { expectErrorResponse, expectValidationError } from '../support/http-assertions';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';
import { claimsOf } from '../support/jwt-claims';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** API.md v1.1 §7: remembered devices. */
describe('remembered devices (v1.1 §7)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...UNREACHABLE_THROTTLE_LIMITS } });

  const login = (tenant: TestTenant, user: TestUser, deviceToken?: string, password?: string) =>
    passwordLogin(
      t,
      tenant.slug,
      user.username,
      password ?? user.password,
      deviceToken !== undefined ? { deviceToken } : {},
    ).set('User-Agent', CHROME);

  /** Email 2FA on (remembering as given), `user` registered; the registration's answer. */
  const setUp = (rememberDevice: { enabled?: boolean; days?: number } = { enabled: true }) =>
    registeredEmailUser(t, smtp, { otp: { resendCooldownSeconds: 0 }, rememberDevice }, 'device');

  /** A login that must ask for the code, then the verify: its AUTHENTICATED answer. */
  async function codeSignIn(
    tenant: TestTenant,
    user: TestUser,
    address: string,
    opts: { deviceToken?: string; rememberDevice?: boolean } = {},
  ): Promise<Record<string, string>> {
    const before = smtp.to(address).length;
    const res = await login(tenant, user, opts.deviceToken).expect(200);
    expect(res.body.status).toBe('TWO_FACTOR_REQUIRED');
    const code = await smtp.codeFor(address, before + 1);
    const body = {
      code,
      ...(opts.rememberDevice !== undefined ? { rememberDevice: opts.rememberDevice } : {}),
    };
    const verified = await mfaCall(t, res.body.mfaToken, 'verify', body)
      .set('User-Agent', CHROME)
      .expect(200);
    expect(verified.body.status).toBe('AUTHENTICATED');
    return verified.body as Record<string, string>;
  }

  /** A remembered device of a registered user. */
  async function rememberedSetUp(days = 30) {
    const s = await setUp({ enabled: true, days });
    const signedIn = await codeSignIn(s.tenant, s.user, s.address, { rememberDevice: true });
    const direct = await login(s.tenant, s.user, signedIn.deviceToken).expect(200);
    expect(direct.body.status).toBe('AUTHENTICATED');
    return { ...s, deviceToken: signedIn.deviceToken, accessToken: signedIn.accessToken };
  }

  const myDevices = (accessToken: string) =>
    t.http().get('/v1/auth/me/devices').set('Authorization', `Bearer ${accessToken}`);

  it('every AUTHENTICATED answer carries a deviceToken; sending it back keeps the device', async () => {
    // 2FA off: the password-only answer.
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const first = await login(tenant, user).expect(200);
    expect(first.body.deviceToken).toMatch(DEVICE_TOKEN);
    const again = await login(tenant, user, first.body.deviceToken).expect(200);
    expect(again.body.deviceToken).toBe(first.body.deviceToken);
    const other = await login(tenant, user).expect(200);
    expect(other.body.deviceToken).toMatch(DEVICE_TOKEN);
    expect(other.body.deviceToken).not.toBe(first.body.deviceToken);
    const listed = await myDevices(again.body.accessToken).expect(200);
    expect(listed.body.items).toHaveLength(2);

    // 2FA on: the registration's verify, a code verify and a recovery-code verify.
    const s = await setUp();
    expect(s.registered.deviceToken).toMatch(DEVICE_TOKEN);
    const viaCode = await codeSignIn(s.tenant, s.user, s.address, {
      deviceToken: s.registered.deviceToken,
    });
    expect(viaCode.deviceToken).toBe(s.registered.deviceToken);
    const recovery = (s.registered.recoveryCodes as string[])[0];
    const secondLogin = await login(s.tenant, s.user, s.registered.deviceToken).expect(200);
    const viaRecovery = await mfaCall(t, secondLogin.body.mfaToken, 'verify', {
      recoveryCode: recovery,
    }).expect(200);
    expect(viaRecovery.body.deviceToken).toBe(s.registered.deviceToken);
    const fresh = await mfaCall(
      t,
      (await login(s.tenant, s.user).expect(200)).body.mfaToken,
      'verify',
      { recoveryCode: (s.registered.recoveryCodes as string[])[1] },
    ).expect(200);
    expect(fresh.body.deviceToken).toMatch(DEVICE_TOKEN);
    expect(fresh.body.deviceToken).not.toBe(s.registered.deviceToken);
  });

  it('2FA settings: rememberDevice defaults to off for 30 days; days outside 1-90 are 400', async () => {
    const tenant = await createTenant(t);
    const got = await t
      .http()
      .get(`/v1/tenants/${tenant.slug}/settings/2fa`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(got.body.rememberDevice).toEqual({ enabled: false, days: 30 });
    for (const days of [0, 91, 1.5, '30']) {
      const res = await t
        .http()
        .put(`/v1/tenants/${tenant.slug}/settings/2fa`)
        .set('X-Api-Key', t.platformKey)
        .send({ enabled: false, rememberDevice: { enabled: true, days } });
      expectValidationError(res, 'rememberDevice.days');
    }
    const put = await putTwoFactorSettings(t, tenant, {
      enabled: false,
      channelId: null,
      rememberDevice: { enabled: true, days: 90 },
    });
    expect(put.body.rememberDevice).toEqual({ enabled: true, days: 90 });
  });

  it('the login DTO bounds deviceToken and verify validates rememberDevice', async () => {
    const s = await setUp();
    expectValidationError(await login(s.tenant, s.user, 'x'.repeat(129)), 'deviceToken');
    expectValidationError(
      await login(s.tenant, s.user, 42 as unknown as string).set('User-Agent', CHROME),
      'deviceToken',
    );
    const res = await login(s.tenant, s.user).expect(200);
    expectValidationError(
      await mfaCall(t, res.body.mfaToken, 'verify', { code: '123456', rememberDevice: 'yes' }),
      'rememberDevice',
    );
  });

  it('rememberDevice is ignored while the tenant setting is off', async () => {
    const s = await setUp({ enabled: false });
    const signedIn = await codeSignIn(s.tenant, s.user, s.address, { rememberDevice: true });
    const next = await login(s.tenant, s.user, signedIn.deviceToken).expect(200);
    expect(next.body.status).toBe('TWO_FACTOR_REQUIRED');
    expect(await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REMEMBERED' })).toEqual([]);
  });

  it('a remembered device skips the code: AUTHENTICATED, amr ["pwd"], acr "2fa-remembered"; DEVICE_REMEMBERED', async () => {
    const s = await setUp({ enabled: true, days: 7 });
    const signedIn = await codeSignIn(s.tenant, s.user, s.address, { rememberDevice: true });
    const remembered = await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REMEMBERED' });
    expect(remembered).toHaveLength(1);
    const until = Date.parse(remembered[0].data.rememberedUntil as string);
    expect(Math.abs(until - (Date.now() + 7 * 86400_000))).toBeLessThan(60_000);
    expect(remembered[0]).toMatchObject({
      userId: s.user.id,
      data: { deviceId: expect.any(String) },
    });

    const mails = smtp.to(s.address).length;
    const direct = await login(s.tenant, s.user, signedIn.deviceToken).expect(200);
    expect(direct.body).toEqual({
      status: 'AUTHENTICATED',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      deviceToken: signedIn.deviceToken,
    });
    expect(claimsOf(direct.body.accessToken)).toEqual(
      expect.objectContaining({ amr: ['pwd'], acr: '2fa-remembered' }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.to(s.address)).toHaveLength(mails); // no code was sent
    // The session keeps the acr on refresh.
    const refreshed = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: direct.body.refreshToken })
      .expect(200);
    expect(claimsOf(refreshed.body.accessToken).acr).toBe('2fa-remembered');
    // Without the token, the code is asked as always.
    expect((await login(s.tenant, s.user).expect(200)).body.status).toBe('TWO_FACTOR_REQUIRED');
    // The device never replaces the password.
    expectErrorResponse(
      await login(s.tenant, s.user, signedIn.deviceToken, 'not-the-password'),
      401,
      'INVALID_CREDENTIALS',
    );
    // Nor does a remembered sign-in count as a fresh second factor (v1.1 §6: acr "2fa" needed).
    expectErrorResponse(
      await t
        .http()
        .post('/v1/auth/me/recovery-codes')
        .set('Authorization', `Bearer ${direct.body.accessToken as string}`)
        .send({}),
      401,
      'REAUTHENTICATION_REQUIRED',
    );
  });

  it('the verify that confirms a first registration can remember the device (it follows the new 2FA version)', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp, { rememberDevice: { enabled: true } });
    const address = `first-${tenant.slug}@devices.test`;
    const res = await login(tenant, user).expect(200);
    expect(res.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    await mfaCall(t, res.body.mfaToken, 'register', { destination: address }).expect(200);
    const verified = await mfaCall(t, res.body.mfaToken, 'verify', {
      code: await smtp.codeFor(address, 1),
      rememberDevice: true,
    }).expect(200);
    const direct = await login(tenant, user, verified.body.deviceToken).expect(200);
    expect(direct.body.status).toBe('AUTHENTICATED');
    expect(claimsOf(direct.body.accessToken).acr).toBe('2fa-remembered');
  });

  it('stale, malformed, foreign-user and other-tenant tokens are ignored: the normal flow, a new device', async () => {
    const a = await rememberedSetUp();
    const other = await createUser(t, a.tenant);
    await registerByEmailAnswer(t, smtp, a.tenant, other, `${other.username}@devices.test`);
    const b = await rememberedSetUp();
    const candidates = [
      randomBytes(32).toString('base64url'), // unknown
      'not-a-token',
      a.deviceToken, // another user's (same tenant)
      b.deviceToken, // another tenant's
    ];
    for (const token of candidates) {
      const signedIn = await codeSignIn(a.tenant, other, `${other.username}@devices.test`, {
        deviceToken: token,
      });
      expect(signedIn.deviceToken).toMatch(DEVICE_TOKEN);
      expect(signedIn.deviceToken).not.toBe(token);
    }
    // The owners' devices are untouched.
    expect((await login(a.tenant, a.user, a.deviceToken).expect(200)).body.status).toBe(
      'AUTHENTICATED',
    );
    expect((await login(b.tenant, b.user, b.deviceToken).expect(200)).body.status).toBe(
      'AUTHENTICATED',
    );
  });

  it('the device lists: exact shape for the user and the admin; foreign ids are 404', async () => {
    const s = await rememberedSetUp(10);
    const mine = await myDevices(s.accessToken).expect(200);
    expect(mine.body).toEqual({
      items: [
        {
          id: expect.any(String),
          name: 'Chrome 131 on Windows',
          remembered: true,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          expiresAt: expect.any(String),
          lastIp: expect.any(String),
        },
        {
          id: expect.any(String),
          name: expect.any(String),
          remembered: false,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          expiresAt: null,
          lastIp: expect.any(String),
        },
      ],
    });
    const expires = Date.parse(mine.body.items[0].expiresAt as string);
    expect(Math.abs(expires - (Date.now() + 10 * 86400_000))).toBeLessThan(60_000);
    const admin = await t
      .http()
      .get(`/v1/tenants/${s.tenant.slug}/users/${s.user.id}/devices`)
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(admin.body).toEqual(mine.body);
    expect(JSON.stringify(admin.body)).not.toContain(s.deviceToken);

    const other = await createTenant(t);
    expectErrorResponse(
      await t
        .http()
        .get(`/v1/tenants/${other.slug}/users/${s.user.id}/devices`)
        .set('X-Api-Key', t.platformKey),
      404,
      'NOT_FOUND',
    );
    const id = mine.body.items[0].id as string;
    const stranger = await createUser(t, s.tenant);
    expectErrorResponse(
      await t
        .http()
        .delete(`/v1/tenants/${s.tenant.slug}/users/${stranger.id}/devices/${id}`)
        .set('X-Api-Key', t.platformKey),
      404,
      'NOT_FOUND',
    );
    expectErrorResponse(
      await t
        .http()
        .delete(`/v1/tenants/${other.slug}/users/${s.user.id}/devices/${id}`)
        .set('X-Api-Key', t.platformKey),
      404,
      'NOT_FOUND',
    );
    expectValidationError(
      await t
        .http()
        .delete('/v1/auth/me/devices/not-a-uuid')
        .set('Authorization', `Bearer ${s.accessToken}`),
      'id',
    );
    expectErrorResponse(
      await t.http().delete(`/v1/auth/me/devices/${id}`).set('Authorization', 'Bearer nope'),
      401,
      'UNAUTHENTICATED',
    );
    // Still remembered after all those refusals.
    expect((await login(s.tenant, s.user, s.deviceToken).expect(200)).body.status).toBe(
      'AUTHENTICATED',
    );
  });

  it("a user cannot revoke another user's device (404), and revoking their own writes DEVICE_REVOKED", async () => {
    const s = await rememberedSetUp();
    const other = await createUser(t, s.tenant);
    await registerByEmailAnswer(t, smtp, s.tenant, other, `${other.username}@devices.test`);
    const otherAccess = (await codeSignIn(s.tenant, other, `${other.username}@devices.test`))
      .accessToken;
    const id = (await myDevices(s.accessToken).expect(200)).body.items[0].id as string;
    expectErrorResponse(
      await t
        .http()
        .delete(`/v1/auth/me/devices/${id}`)
        .set('Authorization', `Bearer ${otherAccess}`),
      404,
      'NOT_FOUND',
    );
    expect((await login(s.tenant, s.user, s.deviceToken).expect(200)).body.status).toBe(
      'AUTHENTICATED',
    );

    await t
      .http()
      .delete(`/v1/auth/me/devices/${id}`)
      .set('Authorization', `Bearer ${s.accessToken}`)
      .expect(204);
    expect((await login(s.tenant, s.user, s.deviceToken).expect(200)).body.status).toBe(
      'TWO_FACTOR_REQUIRED',
    );
    expectErrorResponse(
      await t
        .http()
        .delete(`/v1/auth/me/devices/${id}`)
        .set('Authorization', `Bearer ${s.accessToken}`),
      404,
      'NOT_FOUND',
    );
    const revoked = await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REVOKED' });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      userId: s.user.id,
      actor: { type: 'user', id: s.user.id },
      data: { deviceId: id, reason: 'user' },
    });
    // The revoked device is gone from the list; its token now makes a new device.
    const items = (await myDevices(s.accessToken).expect(200)).body.items as Array<{ id: string }>;
    expect(items.map((i) => i.id)).not.toContain(id);
  });

  describe('a device stops being remembered when', () => {
    const asksAgain = async (s: Awaited<ReturnType<typeof rememberedSetUp>>, password?: string) => {
      const res = await login(s.tenant, s.user, s.deviceToken, password).expect(200);
      expect(res.body.status).not.toBe('AUTHENTICATED');
      return res.body.status as string;
    };

    it('it expires', async () => {
      const s = await rememberedSetUp();
      await queryDb(
        t.databaseUrl,
        `UPDATE devices SET remembered_until = now() - interval '1 second' WHERE user_id = $1`,
        [s.user.id],
      );
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
    });

    it('an admin revokes it (DEVICE_REVOKED reason admin)', async () => {
      const s = await rememberedSetUp();
      const items = (await myDevices(s.accessToken).expect(200)).body.items as Array<{
        id: string;
        remembered: boolean;
      }>;
      const id = items.find((i) => i.remembered)!.id;
      await t
        .http()
        .delete(`/v1/tenants/${s.tenant.slug}/users/${s.user.id}/devices/${id}`)
        .set('X-Api-Key', t.platformKey)
        .expect(204);
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
      const revoked = await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REVOKED' });
      expect(revoked).toHaveLength(1);
      expect(revoked[0]).toMatchObject({
        userId: s.user.id,
        actor: { type: 'platform' },
        data: { deviceId: id, reason: 'admin' },
      });
    });

    it("the user's password changes", async () => {
      const s = await rememberedSetUp();
      const password = 'a-changed-password-0042';
      await updateUser(t, s.tenant, s.user.id, { password });
      expect(await asksAgain(s, password)).toBe('TWO_FACTOR_REQUIRED');
    });

    it('the user replaces their factor through self-service (v1.1 §8; DEVICE_REVOKED two_factor_changed)', async () => {
      const s = await rememberedSetUp();
      const devices = await queryDb<{ id: string }>(
        t.databaseUrl,
        'SELECT id FROM devices WHERE user_id = $1 AND revoked_at IS NULL',
        [s.user.id],
      );
      expect(devices.length).toBeGreaterThan(0);
      const newAddress = `new-${s.user.username}@devices.test`;
      const self = (path: string, body: object) =>
        t
          .http()
          .post(`/v1/auth/me/2fa/${path}`)
          .set('Authorization', `Bearer ${s.accessToken}`)
          .send(body);
      await self('register', { destination: newAddress }).expect(200);
      await self('confirm', { code: await smtp.codeFor(newAddress, 1) }).expect(200);

      const live = await queryDb(
        t.databaseUrl,
        'SELECT id FROM devices WHERE user_id = $1 AND revoked_at IS NULL',
        [s.user.id],
      );
      expect(live).toEqual([]);
      const revoked = await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REVOKED' });
      expect(revoked).toEqual([
        expect.objectContaining({
          userId: s.user.id,
          data: expect.objectContaining({
            reason: 'two_factor_changed',
            deviceIds: expect.arrayContaining(devices.map((d) => d.id)),
          }),
        }),
      ]);
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
    });

    it("the admin resets the user's 2FA", async () => {
      const s = await rememberedSetUp();
      await resetTwoFactor(t, s.tenant, s.user.id);
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
      // A new registration (the old device's versions no longer match) does not bring it back.
      await registerByEmailAnswer(t, smtp, s.tenant, s.user, s.address);
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
    });

    it('the user is disabled (and stays so after re-enabling)', async () => {
      const s = await rememberedSetUp();
      const patch = (disabled: boolean) =>
        t
          .http()
          .patch(`/v1/tenants/${s.tenant.slug}/users/${s.user.id}`)
          .set('X-Api-Key', t.platformKey)
          .send({ disabled })
          .expect(200);
      await patch(true);
      expectErrorResponse(await login(s.tenant, s.user, s.deviceToken), 401, 'INVALID_CREDENTIALS');
      await patch(false);
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
      const revoked = await auditEvents(t, s.tenant.slug, { type: 'DEVICE_REVOKED' });
      expect(revoked[0]).toMatchObject({ userId: s.user.id, data: { reason: 'user_disabled' } });
    });

    it('the tenant turns the setting off (every device at once)', async () => {
      const s = await rememberedSetUp();
      await putTwoFactorSettings(t, s.tenant, {
        enabled: true,
        channelId: s.channelId,
        otp: { resendCooldownSeconds: 0 },
        rememberDevice: { enabled: false },
      });
      expect(await asksAgain(s)).toBe('TWO_FACTOR_REQUIRED');
      const listed = (await myDevices(s.accessToken).expect(200)).body.items as Array<{
        remembered: boolean;
        expiresAt: string | null;
      }>;
      expect(listed.every((d) => !d.remembered && d.expiresAt === null)).toBe(true);
    });
  });

  it('a remembered device does not skip the code while the 2FA step is locked, nor a registration the user owes', async () => {
    const s = await rememberedSetUp();
    await queryDb(
      t.databaseUrl,
      `UPDATE two_factor_state SET locked_until = now() + interval '1 hour' WHERE user_id = $1`,
      [s.user.id],
    );
    expectErrorResponse(await login(s.tenant, s.user, s.deviceToken), 429, 'TWO_FACTOR_LOCKED');
    await queryDb(
      t.databaseUrl,
      `UPDATE two_factor_state SET locked_until = NULL WHERE user_id = $1`,
      [s.user.id],
    );
    expect((await login(s.tenant, s.user, s.deviceToken).expect(200)).body.status).toBe(
      'AUTHENTICATED',
    );
    // The tenant moves to an authenticator app: the user must register it, device or not.
    const app = await t
      .http()
      .post(`/v1/tenants/${s.tenant.slug}/channels`)
      .set('X-Api-Key', t.platformKey)
      .send({
        type: 'authenticator',
        name: 'App',
        config: { issuer: 'Acme', digits: 6, periodSeconds: 30, algorithm: 'SHA1', window: 1 },
      })
      .expect(201);
    await putTwoFactorSettings(t, s.tenant, {
      enabled: true,
      channelId: app.body.id as string,
      rememberDevice: { enabled: true },
    });
    expect((await login(s.tenant, s.user, s.deviceToken).expect(200)).body.status).toBe(
      'TWO_FACTOR_REGISTRATION_REQUIRED',
    );
  });

  it('the purge removes devices revoked or unused past the retention, and only those', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++)
      tokens.push((await login(tenant, user).expect(200)).body.deviceToken);
    const ids = (
      await queryDb<{ id: string }>(
        t.databaseUrl,
        'SELECT id FROM devices WHERE user_id = $1 ORDER BY created_at, id',
        [user.id],
      )
    ).map((r) => r.id);
    const purge = t.app.get(DevicePurgeJob);
    await purge.run();
    // Revoked just now, within the retention (OTP_RETENTION_SECONDS, 3600): kept.
    await queryDb(t.databaseUrl, 'UPDATE devices SET revoked_at = now() WHERE id = $1', [ids[0]]);
    await purge.run();
    expect(
      await queryDb(t.databaseUrl, 'SELECT 1 FROM devices WHERE user_id = $1', [user.id]),
    ).toHaveLength(3);
    await queryDb(
      t.databaseUrl,
      `UPDATE devices SET revoked_at = now() - interval '3601 seconds' WHERE id = $1`,
      [ids[0]],
    );
    await queryDb(
      t.databaseUrl,
      `UPDATE devices SET last_used_at = now() - interval '91 days' WHERE id = $1`,
      [ids[1]],
    );
    expect(await purge.run()).toBeGreaterThanOrEqual(2);
    const left = await queryDb<{ id: string }>(
      t.databaseUrl,
      'SELECT id FROM devices WHERE user_id = $1',
      [user.id],
    );
    expect(left.map((r) => r.id)).toEqual([ids[2]]);
  });

  it('the device token is stored only as a keyed hash (no table holds it)', async () => {
    const s = await rememberedSetUp();
    const rows = await queryDb<{ row: string }>(
      t.databaseUrl,
      `SELECT t::text AS row FROM devices t UNION ALL SELECT t::text FROM audit_events t
       UNION ALL SELECT t::text FROM mfa_sessions t`,
    );
    const dump = rows.map((r) => r.row).join('\n');
    expect(dump).toContain(s.user.id);
    const hex = Buffer.from(s.deviceToken, 'base64url').toString('hex');
    for (const form of [s.deviceToken, hex]) expect(dump.includes(form)).toBe(false);
  });
});
