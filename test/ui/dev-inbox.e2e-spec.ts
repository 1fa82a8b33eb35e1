import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { createTransport } from 'nodemailer';
import { generateCredentials } from '../../config/credentials';
import { DevInboxService } from '../../src/dev-inbox/dev-inbox.service';
import { mfaCall, passwordLogin } from '../factories/two-factor.factory';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { startTestApp, TestApp } from '../support/test-app';
import { freePort, portOpen } from '../support/ports';

interface InboxItem {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

async function inbox(t: TestApp): Promise<InboxItem[]> {
  const res = await t.http().get('/dev/inbox.json').expect(200);
  return (res.body as { items: InboxItem[] }).items;
}

/** Polls /dev/inbox.json for the newest mail to `address`. */
async function waitForMail(t: TestApp, address: string, timeoutMs = 5000): Promise<InboxItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = (await inbox(t)).find((m) => m.to.includes(address));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${address} in the inbox`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PASSWORD = 'a-long-bootstrap-password';

describe('development inbox, on (DEV_MAIL_PORT given)', () => {
  let t: TestApp;
  let smtpPort: number;
  beforeAll(async () => {
    smtpPort = await freePort();
    t = await startTestApp({
      bootstrap: true,
      env: {
        DEV_MAIL_PORT: String(smtpPort),
        BOOTSTRAP_TENANT: 'demo',
        BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
        THROTTLE_USER_PER_MINUTE: '1000',
        // Believe the local proxy, so a test can speak as a remote client.
        TRUST_PROXY: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    expect(await portOpen(smtpPort)).toBe(false);
  });

  it('shows the mails (live codes) to this machine only', async () => {
    await t.http().get('/dev/inbox.json').expect(200);
    for (const path of ['/dev/inbox', '/dev/inbox.json']) {
      const remote = await t.http().get(path).set('X-Forwarded-For', '203.0.113.5');
      expect(remote.status).toBe(404);
      expect(remote.body.code).toBe('NOT_FOUND');
    }
  });

  it('bootstraps the tenant with an email channel to the inbox, active, and 2FA on', async () => {
    const channels = await t
      .http()
      .get('/v1/tenants/demo/channels')
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(channels.body.items).toEqual([
      expect.objectContaining({
        type: 'email',
        name: 'Development inbox',
        enabled: true,
        active: true,
        config: {
          host: '127.0.0.1',
          port: smtpPort,
          tls: 'none',
          from: 'EFCX <no-reply@efcx.local>',
          passwordSet: false,
        },
      }),
    ]);
    const settings = await t
      .http()
      .get('/v1/tenants/demo/settings/2fa')
      .set('X-Api-Key', t.platformKey)
      .expect(200);
    expect(settings.body).toEqual(
      expect.objectContaining({
        enabled: true,
        channelId: channels.body.items[0].id,
        channelType: 'email',
      }),
    );
  });

  it('carries the whole flow: login, register, the code from the inbox, verify', async () => {
    const login = await passwordLogin(t, 'demo', 'admin', PASSWORD).expect(200);
    expect(login.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {
      destination: 'admin@demo.test',
    }).expect(200);
    expect(reg.body).toEqual(expect.objectContaining({ status: 'TWO_FACTOR_REQUIRED' }));

    const mail = await waitForMail(t, 'admin@demo.test');
    expect(mail).toEqual({
      id: expect.any(Number),
      receivedAt: expect.any(String),
      from: 'no-reply@efcx.local',
      to: ['admin@demo.test'],
      // The registration mail (template registration_code) says what the code is for.
      subject: 'demo: confirm your address for two-factor sign-in',
      text: expect.stringContaining('code is'),
    });
    expect(Date.now() - Date.parse(mail.receivedAt)).toBeLessThan(60_000);
    const code = /code is (\d{6,10})\b/.exec(mail.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);

    const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);
    expect(verified.body.status).toBe('AUTHENTICATED');

    // The page shows the same mail: recipient, subject, time and text body.
    const page = await t.http().get('/dev/inbox').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.text).toContain('<meta http-equiv="refresh" content="5">');
    expect(page.text).toContain('admin@demo.test');
    expect(page.text).toContain('demo: confirm your address for two-factor sign-in');
    expect(page.text).toContain(mail.receivedAt);
    expect(page.text).toContain(`code is ${code}`);
    // Self-contained: no script, nothing loaded from elsewhere.
    expect(page.text).not.toMatch(/<script|<link|src=/i);

    // The JSON list is data: the strict API policy.
    const json = await t.http().get('/dev/inbox.json').expect(200);
    expect(json.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it('escapes what it shows, refuses large mails, lists newest first and keeps the last 200', async () => {
    const transport = createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      pool: true,
      maxConnections: 4,
    });
    try {
      await transport.sendMail({
        from: 'x@dev.test',
        to: 'victim@dev.test',
        subject: '<script>alert(1)</script>',
        text: '</pre><img src=x onerror=alert(2)>',
      });
      const page = await t.http().get('/dev/inbox').expect(200);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
      expect(page.text).toContain('&lt;&#x2F;pre&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
      expect(page.text).not.toMatch(/<script|<img/i);

      // Each mail is bounded: a large one is refused, not kept.
      await expect(
        transport.sendMail({
          from: 'x@dev.test',
          to: 'big@dev.test',
          subject: 'big',
          text: 'y'.repeat(300 * 1024),
        }),
      ).rejects.toThrow();
      expect((await inbox(t)).some((m) => m.to.includes('big@dev.test'))).toBe(false);

      await Promise.all(
        Array.from({ length: 205 }, (_, i) =>
          transport.sendMail({
            from: 'x@dev.test',
            to: 'bulk@dev.test',
            subject: `bulk ${i}`,
            text: 'x',
          }),
        ),
      );
    } finally {
      transport.close();
    }
    const items = await inbox(t);
    expect(items).toHaveLength(200);
    const ids = items.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(items.every((m) => m.to[0] === 'bulk@dev.test')).toBe(true);
  });
});

describe('development inbox, off', () => {
  it('is off by default in tests: the routes answer 404 and the bootstrap adds no channel', async () => {
    const t = await startTestApp({
      bootstrap: true,
      env: { BOOTSTRAP_TENANT: 'demo', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD },
    });
    try {
      expect(t.app.get(DevInboxService).running).toBe(false);
      expectErrorResponse(await t.http().get('/dev/inbox'), 404, 'NOT_FOUND');
      expectErrorResponse(await t.http().get('/dev/inbox.json'), 404, 'NOT_FOUND');
      const channels = await t
        .http()
        .get('/v1/tenants/demo/channels')
        .set('X-Api-Key', t.platformKey)
        .expect(200);
      expect(channels.body.items).toEqual([]);
      const login = await passwordLogin(t, 'demo', 'admin', PASSWORD).expect(200);
      expect(login.body.status).toBe('AUTHENTICATED');
    } finally {
      await t.close();
    }
  });

  it('starts without the inbox, with a warning, when its port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      // (Nest's static logger may belong to another app of this process: watch the calls.)
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const t = await startTestApp({ env: { DEV_MAIL_PORT: String(taken) } });
      try {
        await t.http().get('/health/ready').expect(200);
        expectErrorResponse(await t.http().get('/dev/inbox'), 404, 'NOT_FOUND');
        // Only the inbox's warnings: the webhook poller may warn about a table the migrations
        // have not created yet (the inbox's smtp-server is loaded lazily, so the start takes longer).
        const inboxWarnings = warn.mock.calls.filter((c) =>
          String(c[0]).includes('development inbox'),
        );
        expect(inboxWarnings).toHaveLength(1);
        expect(inboxWarnings[0][0]).toContain(
          `development inbox not started: cannot listen on 127.0.0.1:${taken} (EADDRINUSE)`,
        );
      } finally {
        warn.mockRestore();
        await t.close();
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('is not loaded in production: no module, no SMTP port, the routes 404', async () => {
    const databaseUrl = await createTestDatabase();
    const port = await freePort();
    const t = await startTestApp({
      databaseUrl,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        PLATFORM_API_KEY: randomBytes(32).toString('base64url'),
        JWT_PRIVATE_KEY: generateCredentials().JWT_PRIVATE_KEY,
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        OTP_HASH_KEY: randomBytes(32).toString('base64'),
        DEV_MAIL_PORT: String(port),
      },
    });
    try {
      expect(t.config.runtime.production).toBe(true);
      expect(() => t.app.get(DevInboxService)).toThrow();
      expect(await portOpen(port)).toBe(false);
      expectErrorResponse(await t.http().get('/dev/inbox'), 404, 'NOT_FOUND');
      expectErrorResponse(await t.http().get('/dev/inbox.json'), 404, 'NOT_FOUND');
    } finally {
      await t.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
