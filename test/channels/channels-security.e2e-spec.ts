/**
 * API.md v1.1 §5 (channels): transport security, the password bound to its endpoint, production
 * ports and addresses, the test mail, mail headers, the summarised browser, and the input rules
 * (addresses without control characters, issuers without ':'). Every SMTP server here is a real
 * one in this process on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Test } from 'supertest';
import { ChannelTls1796100000000 } from '../../migrations/1796100000000-ChannelTls';
import { createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import { mfaCall, passwordLogin, putTwoFactorSettings } from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { createTestDatabase, dropTestDatabase, queryDb } from '../support/database';
import {
  expectErrorResponse,
  expectExactErrorResponse,
  expectValidationError,
} from '../support/http-assertions';
import { SmtpSink } from '../support/smtp-sink';
import {
  productionEnvironment,
  startTestApp,
  useAppWithSmtp,
  TestApp,
  UNREACHABLE_THROTTLE_LIMITS,
} from '../support/test-app';

const FROM = 'EFCX <no-reply@efcx.test>';
const newSecret = () => `smtp-secret-${randomBytes(12).toString('hex')}`;
const newAddress = (prefix = 'sec') => `${prefix}-${randomBytes(4).toString('hex')}@acme.test`;

/** A client of one test app's channel API, with the platform key. */
function channelApi(t: TestApp) {
  const base = (tenant: TestTenant) => `/v1/tenants/${tenant.slug}/channels`;
  const asPlatform = (req: Test) => req.set('X-Api-Key', t.platformKey);
  return {
    create: (tenant: TestTenant, config: Record<string, unknown>, type = 'email') =>
      asPlatform(t.http().post(base(tenant))).send({ type, name: 'Corporate SMTP', config }),
    get: (tenant: TestTenant, id: string) => asPlatform(t.http().get(`${base(tenant)}/${id}`)),
    patch: (tenant: TestTenant, id: string, body: object) =>
      asPlatform(t.http().patch(`${base(tenant)}/${id}`)).send(body),
    test: (tenant: TestTenant, id: string, to: string) =>
      asPlatform(t.http().post(`${base(tenant)}/${id}/test`)).send({ to }),
  };
}

/** The data of the tenant's CHANNEL_TESTED events, newest first. */
async function channelTests(t: TestApp, tenant: TestTenant) {
  return (await auditEvents(t, tenant.slug, { type: 'CHANNEL_TESTED' })).map((e) => e.data);
}

describe('email channels: transport security and endpoints (v1.1 §5)', () => {
  let t: TestApp;
  let api: ReturnType<typeof channelApi>;
  /** No STARTTLS offered; logs every AUTH (the "attacker's" server too). */
  const plain = new SmtpSink();
  const plain2 = new SmtpSink();
  /** STARTTLS with a self-signed certificate. */
  const selfSignedStarttls = new SmtpSink({ tls: 'starttls' });
  /** TLS from the first byte, self-signed. */
  const selfSignedImplicit = new SmtpSink({ tls: 'implicit' });
  const sinks = [plain, plain2, selfSignedStarttls, selfSignedImplicit];

  beforeAll(async () => {
    for (const s of sinks) await s.start();
    t = await startTestApp({ env: { SMTP_TIMEOUT_MS: '3000', ...UNREACHABLE_THROTTLE_LIMITS } });
    api = channelApi(t);
  });
  afterAll(async () => {
    await t?.close();
    for (const s of sinks) await s.stop();
  });

  const channel = async (tenant: TestTenant, config: Record<string, unknown>) =>
    (await api.create(tenant, { host: '127.0.0.1', from: FROM, ...config }).expect(201)).body as {
      id: string;
      config: Record<string, unknown>;
    };

  describe('config.tls', () => {
    it('defaults to starttls, reads the old secure flag, and refuses anything else', async () => {
      const tenant = await createTenant(t);
      expect((await channel(tenant, { port: 587 })).config.tls).toBe('starttls');
      const legacyFalse = await channel(tenant, { port: 587, secure: false });
      expect(legacyFalse.config).toEqual(expect.objectContaining({ tls: 'starttls' }));
      expect(legacyFalse.config).not.toHaveProperty('secure');
      expect((await channel(tenant, { port: 465, secure: true })).config.tls).toBe('implicit');
      expect((await channel(tenant, { port: 25, tls: 'none' })).config.tls).toBe('none');

      const base = { host: '127.0.0.1', port: 587, from: FROM };
      expectValidationError(await api.create(tenant, { ...base, tls: 'ssl' }), 'config.tls');
      expectValidationError(await api.create(tenant, { ...base, tls: true }), 'config.tls');
      expectValidationError(
        await api.create(tenant, { ...base, tls: 'none', secure: true }),
        'config.secure',
      );

      // PATCH: secure: true is read as implicit too.
      const patched = await api.patch(tenant, legacyFalse.id, { config: { secure: true } });
      expect(patched.status).toBe(200);
      expect(patched.body.config.tls).toBe('implicit');
      expect(patched.body.config).not.toHaveProperty('secure');
    });

    it('starttls (the default): a server without STARTTLS fails with smtp_tls_unavailable, before AUTH', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const { id } = await channel(tenant, {
        port: plain.port,
        username: 'otp',
        password: secret,
      });
      const to = newAddress();
      expectExactErrorResponse(await api.test(tenant, id, to), 502, 'OTP_DELIVERY_FAILED');
      expect(plain.to(to)).toEqual([]);
      expect(plain.authAttempts.filter((a) => a.password === secret)).toEqual([]);
      expect(await channelTests(t, tenant)).toEqual([
        { channelId: id, ok: false, reason: 'smtp_tls_unavailable' },
      ]);

      // The same server with tls "none" (allowed outside production) delivers, in plain text.
      await api.patch(tenant, id, { config: { tls: 'none', password: secret } }).expect(200);
      await api.test(tenant, id, to).expect(200);
      const mail = await plain.waitFor(to);
      expect(mail.auth).toEqual({ username: 'otp', password: secret });
      expect(mail.secure).toBe(false);
      expect((await channelTests(t, tenant))[0]).toEqual({ channelId: id, ok: true, reason: null });
    });

    it('verifies certificates: a self-signed STARTTLS or implicit TLS server fails with smtp_tls_failed', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const starttls = await channel(tenant, {
        port: selfSignedStarttls.port,
        username: 'otp',
        password: secret,
      });
      const implicit = await channel(tenant, {
        port: selfSignedImplicit.port,
        tls: 'implicit',
        username: 'otp',
        password: secret,
      });
      const to = newAddress();
      expectExactErrorResponse(await api.test(tenant, starttls.id, to), 502, 'OTP_DELIVERY_FAILED');
      expectExactErrorResponse(await api.test(tenant, implicit.id, to), 502, 'OTP_DELIVERY_FAILED');
      expect(await channelTests(t, tenant)).toEqual([
        { channelId: implicit.id, ok: false, reason: 'smtp_tls_failed' },
        { channelId: starttls.id, ok: false, reason: 'smtp_tls_failed' },
      ]);
      for (const sink of [selfSignedStarttls, selfSignedImplicit]) {
        expect(sink.to(to)).toEqual([]);
        expect(sink.authAttempts.filter((a) => a.password === secret)).toEqual([]);
      }

      // Control: the STARTTLS server itself works, when the channel asks for no TLS.
      await api
        .patch(tenant, starttls.id, { config: { tls: 'none', password: secret } })
        .expect(200);
      await api.test(tenant, starttls.id, to).expect(200);
      expect((await selfSignedStarttls.waitFor(to)).secure).toBe(false);
    });

    it('the migration turns the old secure flag into tls, and an old row is read the same way', async () => {
      const tenant = await createTenant(t);
      const a = await channel(tenant, { port: plain.port, tls: 'none' });
      const b = await channel(tenant, { port: plain.port, tls: 'none' });
      const c = await channel(tenant, { port: plain.port, tls: 'none' });
      const setConfig = (id: string, config: object) =>
        queryDb(t.databaseUrl, 'UPDATE channels SET config = $2 WHERE id = $1', [id, config]);
      const legacy = { host: '127.0.0.1', port: plain.port, from: FROM };
      await setConfig(a.id, { ...legacy, secure: false });
      await setConfig(b.id, { ...legacy, secure: true });
      await setConfig(c.id, legacy);

      // Before the migration, secure: false is already read as starttls.
      const to = newAddress();
      expectExactErrorResponse(await api.test(tenant, a.id, to), 502, 'OTP_DELIVERY_FAILED');
      expect((await channelTests(t, tenant))[0].reason).toBe('smtp_tls_unavailable');

      const client = new Client({ connectionString: t.databaseUrl });
      await client.connect();
      try {
        await new ChannelTls1796100000000().up({
          query: (sql: string) => client.query(sql),
        } as never);
      } finally {
        await client.end();
      }
      const rows = await queryDb<{ id: string; config: Record<string, unknown> }>(
        t.databaseUrl,
        'SELECT id, config FROM channels WHERE id = ANY($1)',
        [[a.id, b.id, c.id]],
      );
      const byId = Object.fromEntries(rows.map((r) => [r.id, r.config]));
      expect(byId[a.id]).toEqual({ ...legacy, tls: 'starttls' });
      expect(byId[b.id]).toEqual({ ...legacy, tls: 'implicit' });
      expect(byId[c.id]).toEqual({ ...legacy, tls: 'starttls' });
      expect((await api.get(tenant, b.id).expect(200)).body.config.tls).toBe('implicit');
    });
  });

  describe('a stored password never follows the channel to a new endpoint (finding 1)', () => {
    it('a PATCH of host, port, username or tls without the password is refused, so /test cannot leak it', async () => {
      const tenant = await createTenant(t);
      const secret = newSecret();
      const { id } = await channel(tenant, {
        port: plain.port,
        tls: 'none',
        username: 'otp',
        password: secret,
      });
      const before = (await api.get(tenant, id).expect(200)).body;

      // The attack: point the channel at a server the admin controls, then ask for a test.
      for (const change of [
        { port: plain2.port },
        { host: 'localhost', port: plain2.port },
        { host: 'localhost' },
        { username: 'other' },
        { username: null },
        { tls: 'starttls' },
        { secure: true },
      ]) {
        const res = await api.patch(tenant, id, { config: change });
        try {
          expectValidationError(res, 'config.password');
        } catch (e) {
          throw new Error(`PATCH ${JSON.stringify(change)}: ${(e as Error).message}`);
        }
      }
      expect((await api.get(tenant, id).expect(200)).body).toEqual(before);
      const to = newAddress();
      await api.test(tenant, id, to).expect(200);
      expect((await plain.waitFor(to)).auth).toEqual({ username: 'otp', password: secret });
      expect(plain2.authAttempts.filter((a) => a.password === secret)).toEqual([]);
      expect(plain2.to(to)).toEqual([]);

      // Unrelated keys and unchanged values need no password.
      await api.patch(tenant, id, { config: { from: 'Other <other@efcx.test>' } }).expect(200);
      await api.patch(tenant, id, { config: { port: plain.port, tls: 'none' } }).expect(200);

      // With the password sent again, the channel moves, and only that password travels.
      const secret2 = newSecret();
      await api.patch(tenant, id, { config: { port: plain2.port, password: secret2 } }).expect(200);
      await api.test(tenant, id, to).expect(200);
      expect((await plain2.waitFor(to)).auth).toEqual({ username: 'otp', password: secret2 });
      expect(JSON.stringify(plain2.authAttempts)).not.toContain(secret);

      // Clearing the password while moving is allowed too: nothing follows.
      await api
        .patch(tenant, id, { config: { port: plain.port, password: null, username: null } })
        .expect(200);
    });

    it('a channel without a stored password moves freely', async () => {
      const tenant = await createTenant(t);
      const { id } = await channel(tenant, { port: plain.port, tls: 'none' });
      await api.patch(tenant, id, { config: { port: plain2.port, host: 'localhost' } }).expect(200);
    });
  });

  describe('the test mail', () => {
    it('is limited to 10 per tenant per minute (429 with Retry-After), counted per tenant', async () => {
      const tenant = await createTenant(t);
      const other = await createTenant(t);
      const { id } = await channel(tenant, { port: plain.port, tls: 'none' });
      const otherId = (await channel(other, { port: plain.port, tls: 'none' })).id;
      const results = await Promise.all(
        Array.from({ length: 20 }, () => api.test(tenant, id, newAddress('limit'))),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      const refused = results.find((r) => r.status === 429)!;
      expectErrorResponse(refused, 429, 'TOO_MANY_REQUESTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Only the tests that ran are audited.
      expect(await channelTests(t, tenant)).toHaveLength(10);
      await api.test(other, otherId, newAddress()).expect(200);
    });

    it('carries Auto-Submitted and greets with the domain of from', async () => {
      const tenant = await createTenant(t);
      const { id } = await channel(tenant, {
        port: plain.port,
        tls: 'none',
        from: 'OTP <otp@mail.acme-corp.test>',
      });
      const to = newAddress();
      await api.test(tenant, id, to).expect(200);
      const mail = await plain.waitFor(to);
      expect(mail.headers['auto-submitted']).toBe('Auto-Submitted: auto-generated');
      expect(mail.helo).toBe('mail.acme-corp.test');
    });
  });

  describe('the code mail', () => {
    it('carries Auto-Submitted and names the browser, never the raw User-Agent', async () => {
      const tenant = await createTenant(t);
      const { id } = await channel(tenant, { port: plain.port, tls: 'none' });
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId: id });
      const phishing =
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
        'Chrome/131.0.0.0 Safari/537.36 URGENT: cancel this sign-in at https://evil.test/cancel';
      const crafted = 'To cancel this sign-in visit https://evil.test/cancel now';
      for (const [userAgent, expected] of [
        [phishing, 'Chrome 131 on Windows'],
        [crafted, 'an unknown browser'],
      ]) {
        const to = newAddress('ua');
        const user = await createUser(t, tenant);
        const login = await passwordLogin(t, tenant.slug, user.username, user.password)
          .set('User-Agent', userAgent)
          .expect(200);
        await mfaCall(t, login.body.mfaToken, 'register', { destination: to })
          .set('User-Agent', userAgent)
          .expect(200);
        const mail = await plain.waitFor(to);
        expect(mail.text).toContain(`using ${expected}.`);
        for (const body of [mail.text, mail.html]) {
          expect(body).not.toContain('evil.test');
          expect(body).not.toContain('URGENT');
          expect(body).not.toContain('Mozilla');
        }
        expect(mail.headers['auto-submitted']).toBe('Auto-Submitted: auto-generated');
      }
    });
  });

  describe('input rules', () => {
    const controlAddresses = [
      '"a\r\nBcc: victim@evil.test"@acme.test',
      '"a\nb"@acme.test',
      '"a\u0007"@acme.test',
      'a@acme.test\r\n',
    ];

    it('refuses email addresses with CR, LF or other control characters everywhere (finding 8)', async () => {
      const tenant = await createTenant(t);
      const users = `/v1/tenants/${tenant.slug}/users`;
      const { id } = await channel(tenant, { port: plain.port, tls: 'none' });
      const user = await createUser(t, tenant);
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId: id });
      const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      const before = plain.mails.length;
      for (const address of controlAddresses) {
        const context = `address ${JSON.stringify(address)}`;
        try {
          expectValidationError(
            await t
              .http()
              .post(users)
              .set('X-Api-Key', t.platformKey)
              .send({
                username: `u-${randomBytes(3).toString('hex')}`,
                password: 'a long passphrase 1',
                email: address,
              }),
            'email',
          );
          expectValidationError(
            await t
              .http()
              .patch(`${users}/${user.id}`)
              .set('X-Api-Key', t.platformKey)
              .send({ email: address }),
            'email',
          );
          expectValidationError(
            await t
              .http()
              .post('/v1/tenants')
              .set('X-Api-Key', t.platformKey)
              .send({
                slug: `s-${randomBytes(4).toString('hex')}`,
                name: 'x',
                admin: { username: 'admin', password: 'a long passphrase 1', email: address },
              }),
            'admin.email',
          );
          expectValidationError(
            await mfaCall(t, login.body.mfaToken, 'register', { destination: address }),
            'destination',
          );
          expectValidationError(
            await mfaCall(t, login.body.mfaToken, 'register', { email: address }),
            'email',
          );
          expectValidationError(await api.test(tenant, id, address), 'to');
        } catch (e) {
          throw new Error(`${context}: ${(e as Error).message}`);
        }
      }
      expect(plain.mails.length).toBe(before);
      // Control: the same calls with a plain address pass.
      await api.test(tenant, id, newAddress()).expect(200);
      await mfaCall(t, login.body.mfaToken, 'register', { destination: newAddress() }).expect(200);
    });

    it('refuses an authenticator issuer with ":" on create and on PATCH', async () => {
      const tenant = await createTenant(t);
      const config = {
        issuer: 'Acme EFCX',
        digits: 6,
        periodSeconds: 30,
        algorithm: 'SHA1',
        window: 1,
      };
      for (const issuer of ['Acme:EFCX', ':', 'Acme EFCX:']) {
        expectValidationError(
          await api.create(tenant, { ...config, issuer }, 'authenticator'),
          'config.issuer',
        );
      }
      const created = await api.create(tenant, config, 'authenticator').expect(201);
      expectValidationError(
        await api.patch(tenant, created.body.id, { config: { issuer: 'Evil:Bank' } }),
        'config.issuer',
      );
      expect((await api.get(tenant, created.body.id).expect(200)).body.config.issuer).toBe(
        'Acme EFCX',
      );
    });
  });
});

describe('email channels with SMTP_HELO_NAME', () => {
  let t: TestApp;
  const sink = useAppWithSmtp((app) => (t = app), {
    env: { SMTP_HELO_NAME: 'mx-out.efcx.example' },
  });

  it('greets every SMTP server with that name', async () => {
    const tenant = await createTenant(t);
    const api = channelApi(t);
    const { id } = (
      await api
        .create(tenant, { host: '127.0.0.1', port: sink.port, tls: 'none', from: FROM })
        .expect(201)
    ).body;
    const to = newAddress();
    await api.test(tenant, id, to).expect(200);
    expect((await sink.waitFor(to)).helo).toBe('mx-out.efcx.example');
  });
});

describe('email channels in production', () => {
  const sink = new SmtpSink();
  let t: TestApp;
  let databaseUrl: string;
  let api: ReturnType<typeof channelApi>;
  beforeAll(async () => {
    await sink.start();
    databaseUrl = await createTestDatabase();
    t = await startTestApp({
      databaseUrl,
      env: productionEnvironment(databaseUrl, {
        CHANNEL_ALLOWED_HOSTS: `*.public.test,alt.corp.test:2526,any.corp.test:*,127.0.0.1:${sink.port}`,
        CHANNEL_PLAINTEXT_HOSTS: '127.0.0.1,legacy.public.test',
      }),
    });
    api = channelApi(t);
  });
  afterAll(async () => {
    await t?.close();
    await dropTestDatabase(databaseUrl);
    await sink.stop();
  });

  const config = (host: string, port: number, extra: Record<string, unknown> = {}) => ({
    host,
    port,
    from: FROM,
    ...extra,
  });

  it('allows the standard ports for a listed host, other ports only when an entry names them', async () => {
    const tenant = await createTenant(t);
    for (const port of [25, 465, 587, 2525])
      await api.create(tenant, config('smtp.public.test', port)).expect(201);
    await api.create(tenant, config('alt.corp.test', 2526)).expect(201);
    await api.create(tenant, config('any.corp.test', 8025)).expect(201);
    for (const [host, port] of [
      ['smtp.public.test', 2526],
      ['smtp.public.test', 8025],
      ['alt.corp.test', 587],
      ['alt.corp.test', 2527],
    ] as const) {
      const res = await api.create(tenant, config(host, port));
      try {
        expectValidationError(res, 'config.port');
      } catch (e) {
        throw new Error(`${host}:${port}: ${(e as Error).message}`);
      }
    }
    expectValidationError(await api.create(tenant, config('evil.test', 587)), 'config.host');
  });

  it('allows tls "none" only for CHANNEL_PLAINTEXT_HOSTS, and delivers there', async () => {
    const tenant = await createTenant(t);
    expectValidationError(
      await api.create(tenant, config('smtp.public.test', 587, { tls: 'none' })),
      'config.tls',
    );
    const starttls = await api.create(tenant, config('smtp.public.test', 587)).expect(201);
    expectValidationError(
      await api.patch(tenant, starttls.body.id, { config: { tls: 'none' } }),
      'config.tls',
    );
    await api.create(tenant, config('legacy.public.test', 25, { tls: 'none' })).expect(201);
    const local = await api
      .create(tenant, config('127.0.0.1', sink.port, { tls: 'none' }))
      .expect(201);
    const to = newAddress();
    await api.test(tenant, local.body.id, to).expect(200);
    await sink.waitFor(to);
  });

  it('holds the rules at delivery too, for rows saved under other settings', async () => {
    const tenant = await createTenant(t);
    const plainRow = await api.create(tenant, config('smtp.public.test', 587)).expect(201);
    const portRow = await api
      .create(tenant, config('127.0.0.1', sink.port, { tls: 'none' }))
      .expect(201);
    const setConfig = (id: string, patch: object) =>
      queryDb(t.databaseUrl, 'UPDATE channels SET config = config || $2::jsonb WHERE id = $1', [
        id,
        JSON.stringify(patch),
      ]);
    await setConfig(plainRow.body.id, { tls: 'none' });
    await setConfig(portRow.body.id, { port: sink.port + 1 });
    const to = newAddress();
    expectExactErrorResponse(
      await api.test(tenant, plainRow.body.id, to),
      502,
      'OTP_DELIVERY_FAILED',
    );
    expectExactErrorResponse(
      await api.test(tenant, portRow.body.id, to),
      502,
      'OTP_DELIVERY_FAILED',
    );
    expect(await channelTests(t, tenant)).toEqual([
      { channelId: portRow.body.id, ok: false, reason: 'smtp_host_refused' },
      { channelId: plainRow.body.id, ok: false, reason: 'smtp_plaintext_refused' },
    ]);
    expect(sink.to(to)).toEqual([]);
  });
});

describe('email channels in production without CHANNEL_ALLOWED_HOSTS', () => {
  let t: TestApp;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    t = await startTestApp({
      databaseUrl,
      env: productionEnvironment(databaseUrl),
    });
  });
  afterAll(async () => {
    await t?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('refuses every address that is not globally reachable, and non-standard ports', async () => {
    const tenant = await createTenant(t);
    const api = channelApi(t);
    for (const host of [
      '127.0.0.1',
      '198.18.0.1',
      '240.0.0.1',
      '100.64.0.1',
      '192.0.0.8',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      'fec0::1',
      '2001:db8::25',
      'mail.localhost',
    ]) {
      const res = await api.create(tenant, { host, port: 587, from: FROM });
      try {
        expectValidationError(res, 'config.host');
      } catch (e) {
        throw new Error(`host ${host}: ${(e as Error).message}`);
      }
    }
    for (const port of [22, 80, 2526, 8025])
      expectValidationError(
        await api.create(tenant, { host: 'smtp.example.com', port, from: FROM }),
        'config.port',
      );
    for (const host of ['smtp.example.com', '8.8.8.8', '64:ff9b::808:808'])
      await api.create(tenant, { host, port: 587, from: FROM }).expect(201);
  });
});
