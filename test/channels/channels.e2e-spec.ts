import { randomBytes, randomUUID } from 'node:crypto';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import type { Response, Test } from 'supertest';
import {
  adminToken,
  createTenant,
  createUser,
  login,
  TestTenant,
} from '../factories/tenants.factory';
import { putTwoFactorSettings } from '../factories/two-factor.factory';
import type { AuditEventItem } from '../support/audit-events';
import { queryDb } from '../support/database';
import {
  expectErrorResponse,
  expectExactErrorResponse,
  expectValidationError,
} from '../support/http-assertions';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, useTestApp, TestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FROM = 'EFCX <no-reply@efcx.test>';

/** A secret no other value can contain by chance. */
const newSecret = () => `smtp-secret-${randomBytes(12).toString('hex')}`;
const newAddress = (prefix = 'probe') => `${prefix}-${randomBytes(4).toString('hex')}@acme.test`;

/** A port on 127.0.0.1 where nothing listens (bound once, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
async function silentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (srv.address() as AddressInfo).port,
    stop: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

const emailConfig = (port: number, extra: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port,
  tls: 'none',
  from: FROM,
  ...extra,
});

describe('Tenant admin: channels', () => {
  let t: TestApp;
  const smtp = new SmtpSink();
  const smtp2 = new SmtpSink();
  beforeAll(async () => {
    await smtp.start();
    await smtp2.start();
    // Short SMTP timeout: a dead SMTP server must answer 502 within a few seconds.
    t = await startTestApp({ env: { SMTP_TIMEOUT_MS: '2000' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await smtp2.stop();
  });

  const base = (slug: string) => `/v1/tenants/${slug}/channels`;
  const asPlatform = (req: Test) => req.set('X-Api-Key', t.platformKey);

  const create = (tenant: TestTenant, body: object) =>
    asPlatform(t.http().post(base(tenant.slug))).send(body);
  const getOne = (tenant: TestTenant, id: string) =>
    asPlatform(t.http().get(`${base(tenant.slug)}/${id}`));
  const list = (tenant: TestTenant) => asPlatform(t.http().get(base(tenant.slug)));
  const patch = (tenant: TestTenant, id: string, body: object) =>
    asPlatform(t.http().patch(`${base(tenant.slug)}/${id}`)).send(body);
  const remove = (tenant: TestTenant, id: string) =>
    asPlatform(t.http().delete(`${base(tenant.slug)}/${id}`));
  const sendTest = (tenant: TestTenant, id: string, body: object) =>
    asPlatform(t.http().post(`${base(tenant.slug)}/${id}/test`)).send(body);

  async function emailChannel(
    tenant: TestTenant,
    port: number,
    extra: Record<string, unknown> = {},
    name = 'Corporate SMTP',
  ): Promise<string> {
    const res = await create(tenant, {
      type: 'email',
      name,
      enabled: true,
      config: emailConfig(port, extra),
    }).expect(201);
    return res.body.id as string;
  }

  describe('create and read', () => {
    it('answers the channel with passwordSet instead of the password, everywhere', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const bodies: Response[] = [];

      const created = await create(tenant, {
        type: 'email',
        name: 'Corporate SMTP',
        enabled: true,
        config: emailConfig(smtp.port, { username: 'otp', password: secret }),
      });
      bodies.push(created);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        type: 'email',
        name: 'Corporate SMTP',
        enabled: true,
        active: false,
        config: {
          host: '127.0.0.1',
          port: smtp.port,
          tls: 'none',
          username: 'otp',
          from: FROM,
          passwordSet: true,
        },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
      expect(new Date(created.body.updatedAt).toISOString()).toBe(created.body.updatedAt);
      const id = created.body.id as string;

      const got = await getOne(tenant, id).expect(200);
      bodies.push(got);
      expect(got.body).toEqual(created.body);

      const listed = await list(tenant).expect(200);
      bodies.push(listed);
      expect(listed.body).toEqual({ items: [created.body] });

      const renamed = await patch(tenant, id, { name: 'Renamed SMTP' }).expect(200);
      bodies.push(renamed);
      expect(renamed.body).toEqual({
        ...created.body,
        name: 'Renamed SMTP',
        updatedAt: expect.any(String),
      });

      const fromChanged = await patch(tenant, id, { config: { from: 'x@efcx.test' } }).expect(200);
      bodies.push(fromChanged);
      expect(fromChanged.body.config).toEqual({ ...created.body.config, from: 'x@efcx.test' });

      const tested = await sendTest(tenant, id, { to: newAddress() }).expect(200);
      bodies.push(tested);

      for (const res of bodies) {
        expect(res.text).not.toContain(secret);
        expect(JSON.stringify(res.headers)).not.toContain(secret);
      }

      // At rest: sealed in `secrets`, never in `config`.
      const [row] = await queryDb<{ config: Record<string, unknown>; secrets: string | null }>(
        t.databaseUrl,
        'SELECT config, secrets FROM channels WHERE id = $1',
        [id],
      );
      expect(row.config).not.toHaveProperty('password');
      expect(row.config).not.toHaveProperty('passwordSet');
      expect(JSON.stringify(row.config)).not.toContain(secret);
      expect(row.secrets).toEqual(expect.any(String));
      expect(row.secrets).not.toContain(secret);
      expect(row.secrets).not.toContain(Buffer.from(secret).toString('base64'));
      expect(row.secrets).not.toContain(Buffer.from(secret).toString('hex'));
    });

    it('answers passwordSet: false when no password was given, and enabled defaults to true', async () => {
      const tenant = await createTenant(t);
      const res = await create(tenant, {
        type: 'email',
        name: 'No auth',
        config: emailConfig(smtp.port),
      }).expect(201);
      expect(res.body.enabled).toBe(true);
      expect(res.body.active).toBe(false);
      expect(res.body.config).toEqual({ ...emailConfig(smtp.port), passwordSet: false });
      const got = await getOne(tenant, res.body.id).expect(200);
      expect(got.body.config.passwordSet).toBe(false);
    });

    it('accepts any host when CHANNEL_ALLOWED_HOSTS is unset (outside production)', async () => {
      const tenant = await createTenant(t);
      const res = await create(tenant, {
        type: 'email',
        name: 'Elsewhere',
        config: emailConfig(587, { host: 'evil.test' }),
      }).expect(201);
      expect(res.body.config.host).toBe('evil.test');
    });

    it('refuses a type no provider handles', async () => {
      const tenant = await createTenant(t);
      for (const type of ['sms', 'carrier-pigeon', 'EMAIL', '']) {
        const res = await create(tenant, {
          type,
          name: 'x',
          enabled: true,
          config: emailConfig(smtp.port),
        });
        expectValidationError(res, 'type');
      }
      expect((await list(tenant).expect(200)).body.items).toEqual([]);
    });

    it('refuses a bad email config, naming the config field', async () => {
      const tenant = await createTenant(t);
      const { host: _host, ...withoutHost } = emailConfig(smtp.port);
      const { from: _from, ...withoutFrom } = emailConfig(smtp.port);
      const { port: _port, ...withoutPort } = emailConfig(smtp.port);
      const cases: Array<[Record<string, unknown>, string]> = [
        [withoutHost, 'config.host'],
        [withoutPort, 'config.port'],
        [withoutFrom, 'config.from'],
        [emailConfig(0), 'config.port'],
        [emailConfig(70000), 'config.port'],
        [emailConfig(25.5), 'config.port'],
        [{ ...emailConfig(0), port: '587' }, 'config.port'],
        [emailConfig(smtp.port, { host: 'smtp acme test' }), 'config.host'],
        [emailConfig(smtp.port, { host: 42 }), 'config.host'],
        [emailConfig(smtp.port, { host: { name: 'smtp.acme.test' } }), 'config.host'],
        [emailConfig(smtp.port, { from: 'not an address' }), 'config.from'],
        [emailConfig(smtp.port, { from: 'a@b.test\r\nBcc: x@y.test' }), 'config.from'],
        [emailConfig(smtp.port, { secure: 'yes' }), 'config.secure'],
        [emailConfig(smtp.port, { password: 12345 }), 'config.password'],
        [emailConfig(smtp.port, { tlsInsecure: true }), 'config.tlsInsecure'],
        [emailConfig(smtp.port, { tls: { rejectUnauthorized: false } }), 'config.tls'],
      ];
      for (const [config, field] of cases) {
        const res = await create(tenant, { type: 'email', name: 'x', enabled: true, config });
        try {
          expectValidationError(res, field);
        } catch (e) {
          throw new Error(`config ${JSON.stringify(config)}: ${(e as Error).message}`);
        }
      }
      for (const config of [null, 'host=smtp', [emailConfig(smtp.port)]]) {
        expectValidationError(
          await create(tenant, { type: 'email', name: 'x', enabled: true, config }),
          'config',
        );
      }
      expectValidationError(
        await create(tenant, { type: 'email', name: 'x', enabled: true }),
        'config',
      );
      expectValidationError(
        await create(tenant, {
          type: 'email',
          name: 'x',
          enabled: true,
          config: emailConfig(smtp.port),
          active: true,
        }),
        'active',
      );
      expectValidationError(
        await create(tenant, {
          type: 'email',
          name: 'x',
          enabled: 'true',
          config: emailConfig(smtp.port),
        }),
        'enabled',
      );
      expect((await list(tenant).expect(200)).body.items).toEqual([]);
    });
  });

  describe('PATCH', () => {
    it('keeps an omitted password, clears it on null, and rebuilds the transport on a change', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const id = await emailChannel(tenant, smtp.port, { username: 'otp', password: secret });
      const to = newAddress('patch');

      await sendTest(tenant, id, { to }).expect(200);
      expect((await smtp.waitFor(to, 1)).auth).toEqual({ username: 'otp', password: secret });

      // Another key changes: the password is kept and still authenticates.
      const kept = await patch(tenant, id, {
        config: { from: 'Other <other@efcx.test>' },
      }).expect(200);
      expect(kept.body.config).toEqual({
        host: '127.0.0.1',
        port: smtp.port,
        tls: 'none',
        username: 'otp',
        from: 'Other <other@efcx.test>',
        passwordSet: true,
      });
      await sendTest(tenant, id, { to }).expect(200);
      const second = await smtp.waitFor(to, 2);
      expect(second.auth).toEqual({ username: 'otp', password: secret });
      expect(second.from).toBe('other@efcx.test');

      // A new port takes effect on the next delivery: the mail arrives at the second server.
      // Moving the channel needs its password again (v1.1 §5).
      expectValidationError(
        await patch(tenant, id, { config: { port: smtp2.port } }),
        'config.password',
      );
      const moved = await patch(tenant, id, {
        config: { port: smtp2.port, password: secret },
      }).expect(200);
      expect(moved.body.config.port).toBe(smtp2.port);
      expect(moved.body.config.passwordSet).toBe(true);
      await sendTest(tenant, id, { to }).expect(200);
      expect((await smtp2.waitFor(to, 1)).auth).toEqual({ username: 'otp', password: secret });
      expect(smtp.to(to)).toHaveLength(2);

      // A new password replaces the old one.
      const secret2 = newSecret();
      await patch(tenant, id, { config: { password: secret2 } }).expect(200);
      await sendTest(tenant, id, { to }).expect(200);
      expect((await smtp2.waitFor(to, 2)).auth).toEqual({ username: 'otp', password: secret2 });

      // null clears.
      const cleared = await patch(tenant, id, { config: { password: null } }).expect(200);
      expect(cleared.body.config.passwordSet).toBe(false);
      expect(cleared.body.config.username).toBe('otp');
      expect((await getOne(tenant, id).expect(200)).body.config.passwordSet).toBe(false);
      const [row] = await queryDb<{ secrets: string | null }>(
        t.databaseUrl,
        'SELECT secrets FROM channels WHERE id = $1',
        [id],
      );
      expect(row.secrets ?? '').not.toContain(secret2);

      const noAuth = await patch(tenant, id, { config: { username: null } }).expect(200);
      expect(noAuth.body.config).not.toHaveProperty('username');
      await sendTest(tenant, id, { to }).expect(200);
      expect((await smtp2.waitFor(to, 3)).auth).toBeNull();
    });

    it('refuses a type change, bad merged config and unknown fields', async () => {
      const tenant = await createTenant(t);
      const id = await emailChannel(tenant, smtp.port);
      const before = (await getOne(tenant, id).expect(200)).body;

      expectValidationError(await patch(tenant, id, { type: 'authenticator' }), 'type');
      expectValidationError(await patch(tenant, id, { type: 'email' }), 'type');
      expectValidationError(await patch(tenant, id, { config: { port: 0 } }), 'config.port');
      expectValidationError(await patch(tenant, id, { config: { port: 70000 } }), 'config.port');
      expectValidationError(await patch(tenant, id, { config: { host: null } }), 'config.host');
      expectValidationError(await patch(tenant, id, { config: { from: 'nope' } }), 'config.from');
      expectValidationError(await patch(tenant, id, { config: { foo: 'bar' } }), 'config.foo');
      expectValidationError(await patch(tenant, id, { name: null }), 'name');
      expectValidationError(await patch(tenant, id, { enabled: 'no' }), 'enabled');
      expectValidationError(await patch(tenant, id, { colour: 'red' }), 'colour');

      expect((await getOne(tenant, id).expect(200)).body).toEqual(before);
    });
  });

  describe('the active channel', () => {
    it('is the one the 2FA settings name: not deletable, not disablable, one per tenant', async () => {
      const tenant = await createTenant(t);
      const a = await emailChannel(tenant, smtp.port, {}, 'A');
      const b = await emailChannel(tenant, smtp.port, {}, 'B');

      await putTwoFactorSettings(t, tenant, { enabled: true, channelId: a });
      expect((await getOne(tenant, a).expect(200)).body.active).toBe(true);
      expect((await getOne(tenant, b).expect(200)).body.active).toBe(false);

      expectExactErrorResponse(await remove(tenant, a), 409, 'CONFLICT');
      expectExactErrorResponse(await patch(tenant, a, { enabled: false }), 409, 'CONFLICT');
      expect((await getOne(tenant, a).expect(200)).body).toEqual(
        expect.objectContaining({ enabled: true, active: true }),
      );

      // Activating B makes A inactive.
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId: b });
      const items = (await list(tenant).expect(200)).body.items as Array<{
        id: string;
        active: boolean;
      }>;
      expect(Object.fromEntries(items.map((c) => [c.id, c.active]))).toEqual({
        [a]: false,
        [b]: true,
      });
      const active = await queryDb<{ id: string }>(
        t.databaseUrl,
        'SELECT id FROM channels WHERE tenant_id = $1 AND active',
        [tenant.id],
      );
      expect(active).toEqual([{ id: b }]);

      // A is no longer active: it may be disabled and deleted.
      expect((await patch(tenant, a, { enabled: false }).expect(200)).body.enabled).toBe(false);
      await remove(tenant, a).expect(204);

      expectExactErrorResponse(await remove(tenant, b), 409, 'CONFLICT');
      await putTwoFactorSettings(t, tenant, { enabled: false, channelId: null });
      expect((await getOne(tenant, b).expect(200)).body.active).toBe(false);
      const deleted = await remove(tenant, b);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectExactErrorResponse(await getOne(tenant, b), 404, 'NOT_FOUND');
      expectExactErrorResponse(await remove(tenant, b), 404, 'NOT_FOUND');
      expect((await list(tenant).expect(200)).body.items).toEqual([]);
    });
  });

  describe('test message', () => {
    it('delivers a test mail of its own to the given address: no code, no security warning', async () => {
      const tenant = await createTenant(t);
      const id = await emailChannel(tenant, smtp.port);
      const to = newAddress('test');
      const res = await sendTest(tenant, id, { to }).expect(200);
      expect(res.body).toEqual({ ok: true });
      const mail = await smtp.waitFor(to);
      expect(mail.to).toEqual([to]);
      // The built-in channel_test template (API.md v1.1 §11 has no variable for the channel name).
      expect(mail.subject).toBe(`${tenant.name}: test of the email channel`);
      expect(mail.text).toContain(`This is a test of the email channel of ${tenant.name}.`);
      expect(mail.text.replaceAll(tenant.name, '')).not.toMatch(/\b\d{4,}\b/);
      expect(mail.text).not.toMatch(/code is|password|not you/i);
      expect(mail.from).toBe('no-reply@efcx.test');
    });

    it('refuses a destination that is not an email address', async () => {
      const tenant = await createTenant(t);
      const id = await emailChannel(tenant, smtp.port);
      const before = smtp.mails.length;
      expectValidationError(await sendTest(tenant, id, { to: 'not-an-address' }), 'to');
      expectValidationError(await sendTest(tenant, id, { to: 'a@b.test, c@d.test' }), 'to');
      expectValidationError(await sendTest(tenant, id, { to: 42 }), 'to');
      expectValidationError(await sendTest(tenant, id, {}), 'to');
      expectValidationError(await sendTest(tenant, id, { to: newAddress(), cc: 'x' }), 'cc');
      expect(smtp.mails.length).toBe(before);
    });

    it('answers 502 OTP_DELIVERY_FAILED quickly when nothing listens, without internals', async () => {
      const tenant = await createTenant(t);
      const port = await closedPort();
      const id = await emailChannel(tenant, port);
      const started = Date.now();
      const res = await sendTest(tenant, id, { to: newAddress() });
      expect(Date.now() - started).toBeLessThan(5000);
      expectExactErrorResponse(res, 502, 'OTP_DELIVERY_FAILED');
      expect(res.text).not.toContain('127.0.0.1');
      expect(res.text).not.toContain(String(port));
      expect(res.text).not.toMatch(/ECONNREFUSED/i);
    });

    it('answers 502 once a sink it delivered to is stopped', async () => {
      const tenant = await createTenant(t);
      const sink = await new SmtpSink().start();
      const id = await emailChannel(tenant, sink.port);
      const to = newAddress();
      await sendTest(tenant, id, { to }).expect(200);
      await sink.waitFor(to);
      await sink.stop();
      const started = Date.now();
      expectExactErrorResponse(await sendTest(tenant, id, { to }), 502, 'OTP_DELIVERY_FAILED');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('answers 502 within SMTP_TIMEOUT_MS when the server never greets', async () => {
      const tenant = await createTenant(t);
      const silent = await silentServer();
      try {
        const id = await emailChannel(tenant, silent.port);
        const started = Date.now();
        const res = await sendTest(tenant, id, { to: newAddress() });
        const elapsed = Date.now() - started;
        expectExactErrorResponse(res, 502, 'OTP_DELIVERY_FAILED');
        expect(elapsed).toBeLessThan(6000);
      } finally {
        await silent.stop();
      }
    });

    it('answers 502 when the server rejects the recipient', async () => {
      const tenant = await createTenant(t);
      const sink = await new SmtpSink().start();
      try {
        sink.rejectWith = 550;
        const id = await emailChannel(tenant, sink.port);
        const to = newAddress();
        expectExactErrorResponse(await sendTest(tenant, id, { to }), 502, 'OTP_DELIVERY_FAILED');
        expect(sink.mails).toHaveLength(0);
        sink.rejectWith = null;
        await sendTest(tenant, id, { to }).expect(200);
        await sink.waitFor(to);
      } finally {
        await sink.stop();
      }
    });
  });

  describe('audit', () => {
    it('records CHANNEL_CHANGED for create, update and delete, never with the password', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const secret2 = newSecret();
      const id = await emailChannel(tenant, smtp.port, { username: 'otp', password: secret });
      await patch(tenant, id, { name: 'Renamed', config: { password: secret2 } }).expect(200);
      await patch(tenant, id, { config: { password: null } }).expect(200);
      await remove(tenant, id).expect(204);

      const res = await asPlatform(
        t.http().get(`/v1/tenants/${tenant.slug}/audit-events`).query({ limit: 200 }),
      ).expect(200);
      const events = (res.body.items as AuditEventItem[]).filter(
        (e) => e.type === 'CHANNEL_CHANGED',
      );
      expect(events.map((e) => e.data.action)).toEqual([
        'deleted',
        'updated',
        'updated',
        'created',
      ]);
      for (const e of events) {
        expect(e.data.channelId).toBe(id);
        expect(e.actor.type).toBe('platform');
      }
      expect(events[0].data).toEqual(expect.objectContaining({ type: 'email', name: 'Renamed' }));
      expect(events[2].data.changes).toEqual(expect.arrayContaining(['name', 'config.password']));
      expect(events[3].data).toEqual(expect.objectContaining({ type: 'email' }));

      const filtered = await asPlatform(
        t.http().get(`/v1/tenants/${tenant.slug}/audit-events`).query({ type: 'CHANNEL_CHANGED' }),
      ).expect(200);
      expect(filtered.body.items).toHaveLength(4);

      for (const s of [secret, secret2]) {
        expect(res.text).not.toContain(s);
        const rows = await queryDb(
          t.databaseUrl,
          'SELECT id FROM audit_events WHERE tenant_id = $1 AND data::text LIKE $2',
          [tenant.id, `%${s}%`],
        );
        expect(rows).toEqual([]);
      }
    });
  });

  describe('who may call', () => {
    it("refuses another tenant's admin (403), answers 404 for another tenant's channel id, 400 for a malformed one", async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const channelA = await emailChannel(a, smtp.port);
      const channelB = await emailChannel(b, smtp.port);
      const tokenA = await adminToken(t, a);
      const bearer = { Authorization: `Bearer ${tokenA}` };
      const body = { type: 'email', name: 'x', enabled: true, config: emailConfig(smtp.port) };

      // Control: A's admin manages A's channels.
      await t.http().get(base(a.slug)).set(bearer).expect(200);
      await t
        .http()
        .get(`${base(a.slug)}/${channelA}`)
        .set(bearer)
        .expect(200);

      const onB = [
        t.http().get(base(b.slug)).set(bearer),
        t.http().post(base(b.slug)).set(bearer).send(body),
        t
          .http()
          .get(`${base(b.slug)}/${channelB}`)
          .set(bearer),
        t
          .http()
          .patch(`${base(b.slug)}/${channelB}`)
          .set(bearer)
          .send({ name: 'hijacked' }),
        t
          .http()
          .delete(`${base(b.slug)}/${channelB}`)
          .set(bearer),
        t
          .http()
          .post(`${base(b.slug)}/${channelB}/test`)
          .set(bearer)
          .send({ to: newAddress() }),
      ];
      for (const req of onB) expectExactErrorResponse(await req, 403, 'FORBIDDEN');

      // B's channel id under A's path, with the platform key: not in this tenant.
      expectExactErrorResponse(await getOne(a, channelB), 404, 'NOT_FOUND');
      expectExactErrorResponse(await patch(a, channelB, { name: 'hijacked' }), 404, 'NOT_FOUND');
      expectExactErrorResponse(await remove(a, channelB), 404, 'NOT_FOUND');
      expectExactErrorResponse(await sendTest(a, channelB, { to: newAddress() }), 404, 'NOT_FOUND');
      expectExactErrorResponse(await getOne(a, randomUUID()), 404, 'NOT_FOUND');

      const stillB = await getOne(b, channelB).expect(200);
      expect(stillB.body.name).toBe('Corporate SMTP');
      expect((await list(b).expect(200)).body.items).toHaveLength(1);

      for (const bad of ['not-a-uuid', '123', `${channelA}x`]) {
        expectValidationError(await getOne(a, bad), 'id');
        expectValidationError(await patch(a, bad, { name: 'x' }), 'id');
        expectValidationError(await remove(a, bad), 'id');
        expectValidationError(await sendTest(a, bad, { to: newAddress() }), 'id');
      }
    });

    it('refuses no credential (401) and a non-admin user (403)', async () => {
      const tenant = await createTenant(t);
      const id = await emailChannel(tenant, smtp.port);
      const agent = await createUser(t, tenant, { roles: ['agent', 'supervisor'] });
      const agentToken = await login(t, tenant.slug, agent.username, agent.password);

      expectErrorResponse(await t.http().get(base(tenant.slug)), 401, 'UNAUTHENTICATED');
      expectErrorResponse(
        await t.http().get(base(tenant.slug)).set('X-Api-Key', `${t.platformKey}x`),
        401,
        'UNAUTHENTICATED',
      );
      expectErrorResponse(
        await t.http().delete(`${base(tenant.slug)}/${id}`),
        401,
        'UNAUTHENTICATED',
      );
      expectErrorResponse(
        await t.http().get(base(tenant.slug)).set('Authorization', `Bearer ${agentToken}`),
        403,
        'FORBIDDEN',
      );
      expectErrorResponse(
        await t
          .http()
          .patch(`${base(tenant.slug)}/${id}`)
          .set('Authorization', `Bearer ${agentToken}`)
          .send({ name: 'x' }),
        403,
        'FORBIDDEN',
      );
      expect((await getOne(tenant, id).expect(200)).body.name).toBe('Corporate SMTP');
    });
  });
});

describe('Tenant admin: channels with CHANNEL_ALLOWED_HOSTS', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { CHANNEL_ALLOWED_HOSTS: '*.allowed.test,127.0.0.1' } });

  const create = (tenant: TestTenant, host: string) =>
    t
      .http()
      .post(`/v1/tenants/${tenant.slug}/channels`)
      .set('X-Api-Key', t.platformKey)
      .send({ type: 'email', name: host, enabled: true, config: { ...emailConfig(25), host } });

  it('accepts listed hosts and refuses others on create and on PATCH', async () => {
    const tenant = await createTenant(t);
    await create(tenant, '127.0.0.1').expect(201);
    const ok = await create(tenant, 'smtp.allowed.test').expect(201);
    await create(tenant, 'SMTP.Allowed.Test').expect(201);

    for (const host of ['evil.test', 'allowed.test.evil.test', 'evilallowed.test', '127.0.0.2']) {
      const res = await create(tenant, host);
      try {
        expectValidationError(res, 'config.host');
      } catch (e) {
        throw new Error(`host ${host}: ${(e as Error).message}`);
      }
    }
    expectValidationError(
      await t
        .http()
        .patch(`/v1/tenants/${tenant.slug}/channels/${ok.body.id}`)
        .set('X-Api-Key', t.platformKey)
        .send({ config: { host: 'evil.test' } }),
      'config.host',
    );
    const items = (
      await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/channels`)
        .set('X-Api-Key', t.platformKey)
        .expect(200)
    ).body.items as Array<{ config: { host: string } }>;
    expect(items.map((c) => c.config.host).sort()).toEqual(
      ['127.0.0.1', 'SMTP.Allowed.Test', 'smtp.allowed.test'].sort(),
    );
  });
});
