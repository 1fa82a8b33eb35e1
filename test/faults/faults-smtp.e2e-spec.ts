/**
 * Dependency faults of the email channel: an SMTP server that hangs, refuses, drops the connection
 * in the middle of a message, or is not there at all. Every case must end, within SMTP_TIMEOUT_MS
 * and a margin, in API.md's answer for a failed delivery (502 OTP_DELIVERY_FAILED on register,
 * `delivery: "FAILED"` on login), a failed challenge, no cooldown, and an audit event naming the
 * exact reason. (test/otp/otp-operations.e2e-spec.ts covers a sink that was stopped, at the HTTP level.)
 */
import { createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import {
  createEmailChannel,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmail,
} from '../factories/two-factor.factory';
import type { AuditEventItem } from '../support/audit-events';
import { queryDb } from '../support/database';
import { FakeSmtpFault, FakeSmtpServer } from '../support/faults/fake-smtp';
import { expectExactErrorResponse } from '../support/http-assertions';
import { freePort } from '../support/ports';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

const SMTP_TIMEOUT_MS = 1500;
/** A hang check, not a performance assertion: the delivery timeout plus a generous margin. */
const ANSWER_BOUND_MS = SMTP_TIMEOUT_MS + 3000;
/** A cooldown that a failed delivery would wrongly start: any resend inside it answers 429. */
const COOLDOWN_SECONDS = 300;

interface FaultCase {
  name: string;
  /** A misbehaving server, or null for a port where nothing listens. */
  fault: FakeSmtpFault | null;
  reason: string;
  /** What the fake server must have seen, so the fault struck where the case says. */
  reached: (server: FakeSmtpServer | null) => void;
}

const verbs = (s: FakeSmtpServer) => s.commands.map((c) => c.split(' ', 1)[0].toUpperCase());

const CASES: FaultCase[] = [
  {
    name: 'a server that accepts the connection and never greets',
    fault: 'silent',
    reason: 'smtp_timeout',
    reached: (s) => {
      expect(s!.connections).toBeGreaterThanOrEqual(1);
      expect(s!.commands).toEqual([]);
    },
  },
  {
    name: 'a server that greets, then answers 554 to MAIL FROM',
    fault: 'reject-mail-from',
    reason: 'smtp_rejected',
    reached: (s) => {
      expect(verbs(s!)).toContain('MAIL');
      expect(verbs(s!)).not.toContain('RCPT');
    },
  },
  {
    name: 'a server that greets, then answers 554 to RCPT TO',
    fault: 'reject-rcpt',
    reason: 'smtp_rejected',
    reached: (s) => {
      expect(verbs(s!)).toContain('RCPT');
      expect(verbs(s!)).not.toContain('DATA');
    },
  },
  {
    name: 'a server that accepts up to DATA, then resets the connection (RST) mid-message',
    fault: 'reset-in-data',
    reason: 'smtp_connection_lost',
    reached: (s) => {
      expect(verbs(s!)).toContain('DATA');
      expect(s!.messageBytes).toBeGreaterThan(0);
    },
  },
  {
    name: 'a server that accepts up to DATA, then hangs up (FIN) mid-message',
    fault: 'hangup-in-data',
    reason: 'smtp_connection_lost',
    reached: (s) => {
      expect(verbs(s!)).toContain('DATA');
      expect(s!.messageBytes).toBeGreaterThan(0);
    },
  },
  {
    name: 'a port where nothing listens',
    fault: null,
    reason: 'smtp_unreachable',
    reached: () => undefined,
  },
];

async function timed<T>(run: () => PromiseLike<T>): Promise<{ res: T; ms: number }> {
  const started = Date.now();
  const res = await run();
  return { res, ms: Date.now() - started };
}

describe('SMTP faults: every delivery failure ends in time, in the documented answer', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const fakes: FakeSmtpServer[] = [];

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({
      env: { ...UNREACHABLE_THROTTLE_LIMITS, SMTP_TIMEOUT_MS: String(SMTP_TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all(fakes.map((f) => f.stop()));
    await sink.stop();
  });

  const pointChannelAt = (tenant: TestTenant, channelId: string, port: number) =>
    t
      .http()
      .patch(`/v1/tenants/${tenant.slug}/channels/${channelId}`)
      .set('X-Api-Key', t.platformKey)
      .send({ config: { port } })
      .expect(200);

  /** The newest challenge of `userId` (status and delivery as stored). */
  const newestChallenge = async (userId: string, purpose: 'login' | 'register') => {
    const rows = await queryDb<{ status: string; delivered_at: Date | null }>(
      t.databaseUrl,
      `SELECT status, delivered_at FROM otp_challenges
        WHERE user_id = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1`,
      [userId, purpose],
    );
    return rows[0];
  };

  /** The OTP_DELIVERY_FAILED events of the tenant, once `n` are written (they are detached). */
  const deliveryFailures = async (tenant: TestTenant, n: number): Promise<AuditEventItem[]> => {
    const deadline = Date.now() + 10000;
    for (;;) {
      const res = await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/audit-events?type=OTP_DELIVERY_FAILED`)
        .set('X-Api-Key', t.platformKey)
        .expect(200);
      const items = res.body.items as AuditEventItem[];
      if (items.length >= n || Date.now() > deadline) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it.each(CASES)(
    '$name: 502 / FAILED in time, challenge failed, no cooldown, audit reason $reason',
    async ({ fault, reason, reached }) => {
      const fake = fault ? await new FakeSmtpServer(fault).start() : null;
      if (fake) fakes.push(fake);
      const faultPort = fake ? fake.port : await freePort();

      // A tenant on the working sink, with a long cooldown, and one user registered through it.
      const tenant = await createTenant(t);
      const channelId = await createEmailChannel(t, tenant, sink);
      await putTwoFactorSettings(t, tenant, {
        enabled: true,
        channelId,
        otp: { resendCooldownSeconds: COOLDOWN_SECONDS },
      });
      const registered = await createUser(t, tenant);
      const registeredAddress = `reg-${tenant.slug}@acme.test`;
      await registerByEmail(t, sink, tenant, registered, registeredAddress);
      const newcomer = await createUser(t, tenant);
      const newcomerAddress = `new-${tenant.slug}@acme.test`;
      const start = await passwordLogin(
        t,
        tenant.slug,
        newcomer.username,
        newcomer.password,
      ).expect(200);
      expect(start.body.status).toBe('TWO_FACTOR_REGISTRATION_REQUIRED');

      // The SMTP server goes bad.
      await pointChannelAt(tenant, channelId, faultPort);

      // 1. Registration: 502 OTP_DELIVERY_FAILED in the exact error shape, within the bound.
      const register = mfaCall(t, start.body.mfaToken, 'register', {
        destination: newcomerAddress,
      }).then((r) => r);
      const registerStarted = Date.now();
      let registerDone = 0;
      void register.then(() => (registerDone = Date.now()));
      if (fault === 'silent') {
        // While that delivery is stuck (the server never greets), the app answers other calls.
        await new Promise((r) => setTimeout(r, 300));
        const live = await timed(() => t.http().get('/health/live'));
        expect(live.res.status).toBe(200);
        expect(live.ms).toBeLessThan(1000);
        expect(registerDone).toBe(0); // the register call was still waiting on the server
        expect(fake!.connections).toBeGreaterThanOrEqual(1);
      }
      const reg = await register;
      const registerMs = (registerDone || Date.now()) - registerStarted;
      expectExactErrorResponse(reg, 502, 'OTP_DELIVERY_FAILED');
      expect(registerMs).toBeLessThan(ANSWER_BOUND_MS);
      if (fault === 'silent') expect(registerMs).toBeGreaterThanOrEqual(SMTP_TIMEOUT_MS - 200);
      // (The random requestId is left out: a UUID may well contain "554".)
      const { requestId: _id, ...answer } = reg.body as Record<string, unknown>;
      expect(JSON.stringify(answer)).not.toMatch(/127\.0\.0\.1|ECONN|smtp|554|fake/i);
      expect(await newestChallenge(newcomer.id, 'register')).toEqual({
        status: 'failed',
        delivered_at: null,
      });
      reached(fake);

      // 2. Login of the registered user: 200 TWO_FACTOR_REQUIRED, delivery FAILED, within the bound.
      const login = await timed(() =>
        passwordLogin(t, tenant.slug, registered.username, registered.password),
      );
      expect(login.res.status).toBe(200);
      expect(login.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(login.res.body).toEqual(
        expect.objectContaining({
          status: 'TWO_FACTOR_REQUIRED',
          channel: 'email',
          delivery: 'FAILED',
          resendsRemaining: 5,
        }),
      );
      expect(login.res.body.expiresAt).toBeUndefined();
      expect(
        Math.abs(new Date(login.res.body.resendAvailableAt).getTime() - Date.now()),
      ).toBeLessThan(ANSWER_BOUND_MS);
      expect(await newestChallenge(registered.id, 'login')).toEqual({
        status: 'failed',
        delivered_at: null,
      });

      // 3. No cooldown started: back on a working server, both get a code at once.
      await pointChannelAt(tenant, channelId, sink.port);
      const again = await mfaCall(t, start.body.mfaToken, 'register', {
        destination: newcomerAddress,
      });
      expect({ status: again.status, body: again.body }).toEqual({
        status: 200,
        body: expect.objectContaining({ delivery: 'SENT', resendsRemaining: 5 }),
      });
      await mfaCall(t, start.body.mfaToken, 'verify', {
        code: await sink.codeFor(newcomerAddress, 1),
      }).expect(200);

      const before = sink.to(registeredAddress).length;
      const resend = await mfaCall(t, login.res.body.mfaToken, 'resend');
      expect({ status: resend.status, body: resend.body }).toEqual({
        status: 200,
        body: expect.objectContaining({ delivery: 'SENT', resendsRemaining: 5 }),
      });
      await mfaCall(t, login.res.body.mfaToken, 'verify', {
        code: await sink.codeFor(registeredAddress, before + 1),
      }).expect(200);

      // 4. The audit log names the exact reason, for both failures.
      const events = await deliveryFailures(tenant, 2);
      expect(
        events
          .map((e) => ({ userId: e.userId, purpose: e.data.purpose, reason: e.data.reason }))
          .sort((a, b) => String(a.purpose).localeCompare(String(b.purpose))),
      ).toEqual([
        { userId: registered.id, purpose: 'login', reason },
        { userId: newcomer.id, purpose: 'register', reason },
      ]);

      await fake?.stop();
    },
    60000,
  );
});
