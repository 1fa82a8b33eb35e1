import { ChannelProviderRegistry } from '../../src/channels/providers/channel-provider.registry';
import { createTenant, createUser, adminUserView } from '../factories/tenants.factory';
import { mfaCall, passwordLogin, putTwoFactorSettings } from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectErrorResponse } from '../support/http-assertions';
import { useTestApp, TestApp } from '../support/test-app';
import { TestSmsProvider } from './test-sms.provider';

/**
 * The proof that ChannelProvider is the real abstraction: an SMS type added through the
 * documented extension point (docs/EXTENDING.md) runs the whole login with the OTP rules.
 */
describe('a new channel type (test-only SMS) through the extension point', () => {
  let t: TestApp;
  const sms = new TestSmsProvider();
  useTestApp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '10000' } });
  beforeAll(async () => {
    t.app.get(ChannelProviderRegistry).register(sms);
  });

  const codeIn = (to: string, n: number) =>
    /code: (\d+)/.exec(sms.outbox.filter((m) => m.to === to)[n - 1].text)![1];

  it('configures, registers by phone, signs in, and keeps every OTP rule', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const channel = await t
      .http()
      .post(`/v1/tenants/${tenant.slug}/channels`)
      .set('X-Api-Key', t.platformKey)
      .send({ type: 'sms', name: 'Gateway', config: { senderId: 'ACME', apiKey: 'gw-secret-key' } })
      .expect(201);
    expect(channel.body.config).toEqual({ senderId: 'ACME', apiKeySet: true });
    expect(JSON.stringify(channel.body)).not.toContain('gw-secret-key');
    await putTwoFactorSettings(t, tenant, {
      enabled: true,
      channelId: channel.body.id,
      otp: { length: 8, resendCooldownSeconds: 0, maxAttempts: 2 },
    });

    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual(
      expect.objectContaining({ status: 'TWO_FACTOR_REGISTRATION_REQUIRED', channel: 'sms' }),
    );
    expectErrorResponse(
      await mfaCall(t, login.body.mfaToken, 'register', { phone: '12345' }),
      400,
      'VALIDATION_FAILED',
    );
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {
      phone: '+4915112345678',
    }).expect(200);
    expect(reg.body).toEqual(
      expect.objectContaining({
        channel: 'sms',
        destination: '+49*****78',
        delivery: 'SENT',
        resendsRemaining: 5,
      }),
    );
    expect(sms.outbox.at(-1)).toEqual(
      expect.objectContaining({ to: '+4915112345678', senderId: 'ACME', apiKey: 'gw-secret-key' }),
    );
    const code = codeIn('+4915112345678', 1);
    expect(code).toMatch(/^\d{8}$/);
    await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);

    // Later sign-ins: the code goes to the registered phone; attempts, resend and failure apply.
    const s = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(s.body).toEqual(
      expect.objectContaining({ channel: 'sms', destination: '+49*****78', delivery: 'SENT' }),
    );
    const second = codeIn('+4915112345678', 2);
    expectErrorResponse(
      await mfaCall(t, s.body.mfaToken, 'verify', { code: '00000000' }),
      401,
      'OTP_INVALID',
    );
    expectErrorResponse(
      await mfaCall(t, s.body.mfaToken, 'verify', { code: '00000000' }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    expectErrorResponse(
      await mfaCall(t, s.body.mfaToken, 'verify', { code: second }),
      401,
      'OTP_ATTEMPTS_EXCEEDED',
    );
    sms.down = true;
    expectErrorResponse(await mfaCall(t, s.body.mfaToken, 'resend'), 502, 'OTP_DELIVERY_FAILED');
    sms.down = false;
    await mfaCall(t, s.body.mfaToken, 'resend').expect(200);
    await mfaCall(t, s.body.mfaToken, 'verify', { code: codeIn('+4915112345678', 3) }).expect(200);

    const view = await adminUserView(t, tenant, user.id);
    expect(view.twoFactor).toEqual(
      expect.objectContaining({
        registered: true,
        channelType: 'sms',
        destination: '+4915112345678',
      }),
    );
    const [failure] = await auditEvents(t, tenant.slug, { type: 'OTP_DELIVERY_FAILED' });
    expect(failure.data.reason).toBe('sms_gateway_unavailable');
  });
});
