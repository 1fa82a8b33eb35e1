import request from 'supertest';
import { passwordLogin, registeredEmailUser } from '../factories/two-factor.factory';
import { SecondInstance, useTwoInstances } from '../support/second-instance';
import { queryDb } from '../support/database';
import { SmtpSink } from '../support/smtp-sink';
import { ROOM_FOR_PARALLEL_LOGINS, TestApp } from '../support/test-app';

/** Two instances on one database, many parallel requests: exactly one winner where the rules say one. */
describe('OTP concurrency across two instances', () => {
  let a: TestApp;
  let b: SecondInstance;
  const smtp = new SmtpSink();
  const limits = {
    THROTTLE_USER_PER_MINUTE: '10000',
    THROTTLE_IP_PER_MINUTE: '100000',
    ...ROOM_FOR_PARALLEL_LOGINS,
  };

  useTwoInstances((instances) => ({ primary: a, second: b } = instances), limits, smtp);

  /** Alternates the instances, as a load balancer would. */
  const instance = (i: number) => (i % 2 === 0 ? a.http() : request(b.url));

  it('20 parallel verifies of one correct code give exactly one AUTHENTICATED', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      a,
      smtp,
      { otp: { resendCooldownSeconds: 0, maxAttempts: 20 } },
      'race',
    );
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    const code = await smtp.codeFor(address, 2);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        instance(i)
          .post('/v1/auth/2fa/verify')
          .set('Authorization', `Bearer ${login.body.mfaToken}`)
          .send({ code }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body.status).toBe('AUTHENTICATED');
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(401);
      expect(['OTP_INVALID', 'UNAUTHENTICATED']).toContain(r.body.code);
    }
  });

  it('20 parallel resends after the cooldown send at most one mail', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      a,
      smtp,
      { otp: { resendCooldownSeconds: 2 } },
      'resend',
    );
    const login = await passwordLogin(a, tenant.slug, user.username, user.password).expect(200);
    expect(login.body.delivery).toBe('SENT');
    await smtp.waitFor(address, 2);
    await new Promise((r) => setTimeout(r, 2200));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        instance(i)
          .post('/v1/auth/2fa/resend')
          .set('Authorization', `Bearer ${login.body.mfaToken}`)
          .send({}),
      ),
    );
    const sent = results.filter((r) => r.status === 200);
    expect(sent).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200))
      expect(r.body.code).toBe('OTP_RESEND_COOLDOWN');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(address)).toHaveLength(3);
  });

  it('20 parallel logins of one user send one code; the others say ALREADY_SENT', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      a,
      smtp,
      { otp: { resendCooldownSeconds: 60 } },
      'login',
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        instance(i)
          .post('/v1/auth/login')
          .send({ tenant: tenant.slug, username: user.username, password: user.password }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const deliveries = results.map((r) => r.body.delivery as string);
    expect(deliveries.filter((d) => d === 'SENT')).toHaveLength(1);
    expect(deliveries.filter((d) => d === 'ALREADY_SENT')).toHaveLength(19);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(address)).toHaveLength(2);
    // The code completes only the sign-in it was last announced to (v1.1 §1): tried on all 20
    // at once, on both instances, exactly one is signed in and the others are other_sign_in.
    const code = await smtp.codeFor(address, 2);
    const verifies = await Promise.all(
      results.map((r, i) =>
        instance(i + 1)
          .post('/v1/auth/2fa/verify')
          .set('Authorization', `Bearer ${r.body.mfaToken as string}`)
          .send({ code }),
      ),
    );
    expect(verifies.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of verifies.filter((x) => x.status !== 200))
      expect(r.body.code).toBe('OTP_INVALID');
    const state = await queryDb<{ consecutive_failures: number }>(
      a.databaseUrl,
      'SELECT consecutive_failures FROM two_factor_state WHERE user_id = $1',
      [user.id],
    );
    expect(state[0].consecutive_failures).toBe(0);
  });
});
