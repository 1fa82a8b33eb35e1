import { PendingSignInPurgeJob } from '../../src/auth/pending-sign-in-purge.job';
import { OtpPurgeJob } from '../../src/otp/otp-purge.job';
import { createTenant, createUser } from '../factories/tenants.factory';
import {
  createEmailChannel,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registeredEmailUser,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { dumpDatabase, queryDb, whileLockedElsewhere } from '../support/database';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp, useAppWithSmtp } from '../support/test-app';

const limits = { THROTTLE_USER_PER_MINUTE: '10000' };

describe('delivery failure and recovery', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...limits, SMTP_TIMEOUT_MS: '2000' } });

  it('SMTP down: login says FAILED, resend and register answer 502, no cooldown starts; back up: a code at once', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 300 } },
      'down',
    );

    const port = smtp.port;
    await smtp.stop();
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual(
      expect.objectContaining({
        status: 'TWO_FACTOR_REQUIRED',
        delivery: 'FAILED',
        resendsRemaining: 5,
      }),
    );
    expect(login.body.expiresAt).toBeUndefined();
    expect(Math.abs(new Date(login.body.resendAvailableAt).getTime() - Date.now())).toBeLessThan(
      5000,
    );
    const resend = await mfaCall(t, login.body.mfaToken, 'resend');
    expectErrorResponse(resend, 502, 'OTP_DELIVERY_FAILED');
    const { requestId: _id, ...answer } = resend.body as Record<string, unknown>;
    expect(JSON.stringify(answer)).not.toMatch(/127\.0\.0\.1|ECONN|smtp/i);

    const newcomer = await createUser(t, tenant);
    const reg = await passwordLogin(t, tenant.slug, newcomer.username, newcomer.password).expect(
      200,
    );
    expectErrorResponse(
      await mfaCall(t, reg.body.mfaToken, 'register', { destination: 'n@acme.test' }),
      502,
      'OTP_DELIVERY_FAILED',
    );

    const failures = await auditEvents(t, tenant.slug, { type: 'OTP_DELIVERY_FAILED' });
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0].data.reason).toBe('smtp_unreachable');

    // The server comes back on the same port: the failed attempts started no cooldown.
    await smtp.start(port);
    const ok = await mfaCall(t, login.body.mfaToken, 'resend').expect(200);
    expect(ok.body.delivery).toBe('SENT');
    // A failed delivery used none of the sign-in's resends.
    expect(ok.body.resendsRemaining).toBe(5);
    await mfaCall(t, login.body.mfaToken, 'verify', { code: await smtp.codeFor(address) }).expect(
      200,
    );
  });
});

describe('purge (rule 8)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), {
    env: { ...limits, OTP_RETENTION_SECONDS: '3600' },
  });

  it('deletes challenges whose expiry is older than the retention, keeps the rest and the counts, one instance at a time', async () => {
    const { tenant, user } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 0 } },
      'purge',
    );
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(t, s.body.mfaToken, 'verify', { code: '000000' }).expect(401);
    // Age the registration code (used) past the retention; the live login code stays recent.
    await queryDb(
      t.databaseUrl,
      `UPDATE otp_challenges SET expires_at = now() - interval '2 hours' WHERE user_id = $1 AND purpose = 'register'`,
      [user.id],
    );
    const job = t.app.get(OtpPurgeJob);

    await whileLockedElsewhere(t.databaseUrl, 0x45464358_03, () =>
      expect(job.run()).resolves.toBeUndefined(),
    );

    await expect(job.run()).resolves.toBe(1);
    const left = await queryDb<{ purpose: string }>(
      t.databaseUrl,
      'SELECT purpose FROM otp_challenges WHERE user_id = $1',
      [user.id],
    );
    expect(left).toEqual([{ purpose: 'login' }]);
    const [state] = await queryDb<{ consecutive_failures: number }>(
      t.databaseUrl,
      'SELECT consecutive_failures FROM two_factor_state WHERE user_id = $1',
      [user.id],
    );
    expect(state.consecutive_failures).toBe(1);
    expect(await auditEvents(t, tenant.slug, { type: 'OTP_SENT' })).toHaveLength(2);
  });
});

describe('no code or SMTP password at rest, in logs or in responses', () => {
  let t: TestApp;
  const smtpPassword = 'smtp-Pa55word-never-stored-in-clear';
  const responses: string[] = [];
  const smtp = useAppWithSmtp((app) => (t = app), { env: limits, captureLogs: true });

  it('reads every table and the whole log after a full flow with 10-digit codes', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const channelId = await createEmailChannel(t, tenant, smtp, {
      username: 'otp',
      password: smtpPassword,
    });
    await putTwoFactorSettings(t, tenant, {
      enabled: true,
      channelId,
      otp: { length: 10, resendCooldownSeconds: 0 },
    });
    const address = `leak-${tenant.slug}@acme.test`;
    const keep = <T extends { text: string }>(r: T) => {
      responses.push(r.text);
      return r;
    };
    const login = keep(
      await passwordLogin(t, tenant.slug, user.username, user.password).expect(200),
    );
    keep(await mfaCall(t, login.body.mfaToken, 'register', { destination: address }).expect(200));
    keep(await mfaCall(t, login.body.mfaToken, 'resend').expect(200));
    keep(await mfaCall(t, login.body.mfaToken, 'verify', { code: '0000000000' }).expect(401));
    keep(
      await mfaCall(t, login.body.mfaToken, 'verify', {
        code: await smtp.codeFor(address, 2),
      }).expect(200),
    );
    const again = keep(
      await passwordLogin(t, tenant.slug, user.username, user.password).expect(200),
    );
    keep(
      await mfaCall(t, again.body.mfaToken, 'verify', {
        code: await smtp.codeFor(address, 3),
      }).expect(200),
    );
    keep(
      await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/channels`)
        .set('X-Api-Key', t.platformKey)
        .expect(200),
    );
    keep(
      await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/audit-events?limit=200`)
        .set('X-Api-Key', t.platformKey)
        .expect(200),
    );
    // The mails did carry the SMTP login.
    expect(smtp.to(address)[0].auth).toEqual({ username: 'otp', password: smtpPassword });

    const codes = smtp.to(address).map((m) => /code is (\d{10})/.exec(m.text)![1]);
    expect(codes).toHaveLength(3);
    const dump = await dumpDatabase(t.databaseUrl);
    expect(dump).toContain(address); // the dump did read the data
    await new Promise((r) => setTimeout(r, 100));
    const everything = { database: dump, logs: t.logs(), responses: responses.join('\n') };
    for (const [where, text] of Object.entries(everything)) {
      for (const code of codes)
        expect({ where, leaked: new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text) }).toEqual({
          where,
          leaked: false,
        });
      expect({ where, leaked: text.includes(smtpPassword) }).toEqual({ where, leaked: false });
    }
  });
});

describe('mfa session purge', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { OTP_RETENTION_SECONDS: '60' } });

  it('removes sign-ins expired longer than the retention and keeps the others', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const insert = `INSERT INTO mfa_sessions (id, tenant_id, user_id, purpose, channel_id, channel_type,
        password_version, two_factor_version, policy, expires_at)
      VALUES (gen_random_uuid(), $1, $2, 'login', gen_random_uuid(), 'email', 1, 1, '{}', now() + $3::interval)`;
    await queryDb(t.databaseUrl, insert, [tenant.id, user.id, '-2 minutes']);
    await queryDb(t.databaseUrl, insert, [tenant.id, user.id, '-30 seconds']);
    await queryDb(t.databaseUrl, insert, [tenant.id, user.id, '5 minutes']);
    await expect(t.app.get(PendingSignInPurgeJob).run()).resolves.toBe(1);
    const [{ n }] = await queryDb<{ n: string }>(
      t.databaseUrl,
      'SELECT count(*) AS n FROM mfa_sessions',
    );
    expect(Number(n)).toBe(2);
  });
});
