import { randomBytes } from 'node:crypto';
import { reencryptSecrets } from '../../src/cli/reencrypt-secrets';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { createTenant, createUser } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  mfaCall,
  passwordLogin,
} from '../factories/two-factor.factory';
import { createTestDatabase, dropTestDatabase, queryDb } from '../support/database';
import { awayFromStepEdge, base32Decode, independentTotp } from '../support/independent-totp';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

const totp = (secret: string, offsetSeconds = 0) =>
  independentTotp(
    base32Decode(secret),
    { algorithm: 'SHA1', digits: 6, period: 30 },
    Date.now() / 1000 + offsetSeconds,
  );

/**
 * DATA_ENCRYPTION_KEY rotation: values sealed with the old key stay readable while it is listed
 * in DATA_ENCRYPTION_KEYS_PREVIOUS; the re-encryption command re-seals every stored secret under
 * the new key, after which the old key can go.
 */
describe('DATA_ENCRYPTION_KEY rotation and re-encryption', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const smtp = new SmtpSink();
  let databaseUrl: string;
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({
      databaseUrl,
      env: { ...UNREACHABLE_THROTTLE_LIMITS, ...env },
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    await smtp.start();
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await dropTestDatabase(databaseUrl);
    await smtp.stop();
  });

  const sealed = async () =>
    [
      ...(await queryDb<{ v: string }>(
        databaseUrl,
        'SELECT secrets AS v FROM channels WHERE secrets IS NOT NULL',
      )),
      ...(await queryDb<{ v: string }>(
        databaseUrl,
        'SELECT secret AS v FROM user_2fa WHERE secret IS NOT NULL',
      )),
      ...(await queryDb<{ v: string }>(
        databaseUrl,
        'SELECT pending_secret AS v FROM mfa_sessions WHERE pending_secret IS NOT NULL',
      )),
    ].map((r) => r.v);

  it('re-seals SMTP passwords, TOTP secrets and offered secrets; the old key can then go', async () => {
    // Before the rotation: everything sealed with the old key.
    const before = await start({ DATA_ENCRYPTION_KEY: oldKey.toString('base64') });
    const tenant = await createTenant(before);
    const admin = (path: string) => `/v1/tenants/${tenant.slug}${path}`;
    const mail = await before
      .http()
      .post(admin('/channels'))
      .set('X-Api-Key', before.platformKey)
      .send({
        type: 'email',
        name: 'SMTP',
        config: {
          host: '127.0.0.1',
          port: smtp.port,
          tls: 'none',
          username: 'otp',
          password: 'smtp-password-before-rotation',
          from: 'EFCX <no-reply@acme.test>',
        },
      })
      .expect(201);
    await enableAuthenticatorTwoFactor(before, tenant);

    // One user registered (a sealed TOTP secret), one halfway (a sealed offered secret).
    await awayFromStepEdge(30, 8);
    const alice = await createUser(before, tenant);
    const aliceLogin = await passwordLogin(before, tenant.slug, alice.username, alice.password);
    const aliceReg = await mfaCall(before, aliceLogin.body.mfaToken, 'register', {}).expect(200);
    const aliceSecret = aliceReg.body.secret as string;
    await mfaCall(before, aliceLogin.body.mfaToken, 'verify', { code: totp(aliceSecret) }).expect(
      200,
    );
    const bob = await createUser(before, tenant);
    const bobLogin = await passwordLogin(before, tenant.slug, bob.username, bob.password);
    const bobReg = await mfaCall(before, bobLogin.body.mfaToken, 'register', {}).expect(200);

    const oldId = SecretBox.keyId(oldKey);
    const newId = SecretBox.keyId(newKey);
    expect((await sealed()).map((v) => v.split('.')[1])).toEqual([oldId, oldId, oldId]);

    // The rotation: new key current, old key still readable; re-encrypt.
    const during = await start({
      DATA_ENCRYPTION_KEY: newKey.toString('base64'),
      DATA_ENCRYPTION_KEYS_PREVIOUS: oldKey.toString('base64'),
    });
    expect(await reencryptSecrets(during.app)).toEqual({
      channels: 1,
      twoFactorRegistrations: 1,
      mfaSessions: 1,
      webhooks: 0,
    });
    const after = await sealed();
    expect(after.map((v) => v.split('.')[1])).toEqual([newId, newId, newId]);
    // Nothing left to do: a second run rewrites nothing.
    expect(await reencryptSecrets(during.app)).toEqual({
      channels: 0,
      twoFactorRegistrations: 0,
      mfaSessions: 0,
      webhooks: 0,
    });

    // The old key gone: everything still opens.
    const only = await start({ DATA_ENCRYPTION_KEY: newKey.toString('base64') });
    // The SMTP password: a test mail authenticates with it.
    await only
      .http()
      .post(admin(`/channels/${mail.body.id}/test`))
      .set('X-Api-Key', only.platformKey)
      .send({ to: 'postmaster@acme.test' })
      .expect(200);
    expect((await smtp.waitFor('postmaster@acme.test')).auth).toEqual({
      username: 'otp',
      password: 'smtp-password-before-rotation',
    });
    // Alice's TOTP secret: she signs in (next step: the current one was used at registration).
    const again = await passwordLogin(only, tenant.slug, alice.username, alice.password).expect(
      200,
    );
    expect(again.body.status).toBe('TWO_FACTOR_REQUIRED');
    await mfaCall(only, again.body.mfaToken, 'verify', { code: totp(aliceSecret, 30) }).expect(200);
    // Bob's offered secret: his registration completes.
    await mfaCall(only, bobLogin.body.mfaToken, 'verify', {
      code: totp(bobReg.body.secret as string),
    }).expect(200);
  });

  it('without the old key and before re-encryption, old values do not open (the rotation needs both steps)', async () => {
    const lone = randomBytes(32);
    const box = new SecretBox(lone);
    expect(() => box.open(new SecretBox(oldKey).seal('x', 'ctx'), 'ctx')).toThrow(
      /key is not configured/,
    );
  });
});
