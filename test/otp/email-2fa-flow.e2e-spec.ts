import { createTenant, createUser } from '../factories/tenants.factory';
import {
  createEmailChannel,
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  putTwoFactorSettings,
  registerByEmail,
  registeredEmailUser,
} from '../factories/two-factor.factory';
import { expectErrorResponse } from '../support/http-assertions';
import { SmtpSink } from '../support/smtp-sink';
import { TestApp, useAppWithSmtp } from '../support/test-app';

describe('email 2FA: registration and sign-in', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { THROTTLE_USER_PER_MINUTE: '1000' } });

  it('asks an unregistered user to register, confirms the address by code, then mails codes to it', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp);

    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(login.body).toEqual({
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED',
      mfaToken: expect.any(String),
      channel: 'email',
      expiresIn: 600,
    });
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {
      destination: 'Alice@Acme.test',
    }).expect(200);
    // What every answer that mails a code says about it.
    const codeSent = {
      channel: 'email',
      destination: 'A***@Acme.test',
      delivery: 'SENT',
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      resendsRemaining: 5,
    };
    expect(reg.body).toEqual({ status: 'TWO_FACTOR_REQUIRED', ...codeSent });
    const mail = await smtp.waitFor('alice@acme.test');
    expect(mail.subject).toContain(tenant.name);
    expect(mail.text).toMatch(/IP address 127\.0\.0\.1/);
    expect(mail.text).toMatch(/expires in 5 minutes/);
    const code = await smtp.codeFor('alice@acme.test');
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(reg.body)).not.toContain(code);

    const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);
    expect(verified.body).toEqual({
      status: 'AUTHENTICATED',
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      deviceToken: expect.stringMatching(/^[\w-]{43}$/),
      // The first registration's recovery codes (v1.1 §6).
      recoveryCodes: expect.any(Array),
    });
    const claims = JSON.parse(
      Buffer.from(verified.body.accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(claims.amr).toEqual(['pwd', 'otp']);
    const me = await t
      .http()
      .get('/v1/auth/me')
      .set('Authorization', `Bearer ${verified.body.accessToken}`)
      .expect(200);
    expect(me.body.twoFactor).toEqual({
      registered: true,
      channelType: 'email',
      destination: 'A***@Acme.test',
      registeredAt: expect.any(String),
      recoveryCodesRemaining: 10,
    });

    // The spent mfa token is refused from now on.
    expectErrorResponse(
      await mfaCall(t, login.body.mfaToken, 'verify', { code }),
      401,
      'UNAUTHENTICATED',
    );

    // Next login: the code goes to the stored address at once.
    const again = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    expect(again.body).toEqual({
      status: 'TWO_FACTOR_REQUIRED',
      mfaToken: expect.any(String),
      ...codeSent,
      expiresIn: 600,
    });
    const second = await smtp.codeFor('alice@acme.test', 2);
    await mfaCall(t, again.body.mfaToken, 'verify', { code: second }).expect(200);
  });

  it('switching the active channel holds for the very next login (the email registration is kept)', async () => {
    const { tenant, user, address } = await registeredEmailUser(t, smtp, {}, 'switch');
    const other = await new SmtpSink().start();
    try {
      const second = await createEmailChannel(t, tenant, other);
      await putTwoFactorSettings(t, tenant, { enabled: true, channelId: second });
      const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      expect(login.body.delivery).toBe('SENT');
      const code = await other.codeFor(address);
      expect(smtp.to(address)).toHaveLength(1);
      await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);
    } finally {
      await other.stop();
    }
  });

  it('a registered user signs in through the helper flow too', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp);
    const token = await registerByEmail(t, smtp, tenant, user, `${user.username}@acme.test`);
    expect(token).toEqual(expect.any(String));
  });
});
