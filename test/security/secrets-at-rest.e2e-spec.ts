import { createTenant, createUser, updateUser } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  mfaCall,
  passwordLogin,
} from '../factories/two-factor.factory';
import { dumpDatabase } from '../support/database';
import { awayFromStepEdge, base32Decode, independentTotp } from '../support/independent-totp';
import { useTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

/**
 * After a run with TOTP registration, sign-ins (one with a recovery code), new recovery codes,
 * refreshes, a logout, remembered devices and a password change: every table and the whole service log (request
 * logging on) hold none of the passwords, TOTP secrets, recovery codes, mfa tokens, access tokens,
 * refresh tokens and device tokens that the run used. (Codes and SMTP passwords:
 * test/otp/otp-operations.e2e-spec.ts.)
 */
describe('no password, TOTP secret or token at rest or in the log', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: UNREACHABLE_THROTTLE_LIMITS, captureLogs: true });

  it('reads every table and the whole log after a full run', async () => {
    const used: Record<string, string[]> = {
      passwords: [],
      secrets: [],
      tokens: [],
      recoveryCodes: [],
      deviceTokens: [],
    };
    /** A recovery code as shown and as compared (no dashes), either case. */
    const recoveryForms = (codes: string[]) =>
      codes.flatMap((c) => [
        c,
        c.replace(/-/g, ''),
        c.toLowerCase(),
        c.replace(/-/g, '').toLowerCase(),
      ]);
    const tenant = await createTenant(t);
    used.passwords.push(tenant.admin.password);
    const user = await createUser(t, tenant);
    used.passwords.push(user.password);
    await enableAuthenticatorTwoFactor(t, tenant, { rememberDevice: { enabled: true } });

    await awayFromStepEdge(30, 8);
    const code = (secret: string, offset = 0) =>
      independentTotp(
        base32Decode(secret),
        { algorithm: 'SHA1', digits: 6, period: 30 },
        Date.now() / 1000 + offset,
      );
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    used.tokens.push(login.body.mfaToken);
    const reg = await mfaCall(t, login.body.mfaToken, 'register', {}).expect(200);
    const secret = reg.body.secret as string;
    used.secrets.push(
      secret,
      base32Decode(secret).toString('hex'),
      base32Decode(secret).toString('base64'),
    );
    const first = await mfaCall(t, login.body.mfaToken, 'verify', { code: code(secret) }).expect(
      200,
    );
    used.tokens.push(first.body.accessToken, first.body.refreshToken);
    // The first registration's recovery codes (v1.1 §6), one of them used, then a new set.
    const recoveryCodes = first.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    used.recoveryCodes.push(...recoveryForms(recoveryCodes));
    const byRecovery = await passwordLogin(t, tenant.slug, user.username, user.password).expect(
      200,
    );
    used.tokens.push(byRecovery.body.mfaToken);
    const recovered = await mfaCall(t, byRecovery.body.mfaToken, 'verify', {
      recoveryCode: recoveryCodes[4].toLowerCase(),
    }).expect(200);
    used.tokens.push(recovered.body.accessToken, recovered.body.refreshToken);
    const fresh = await t
      .http()
      .post('/v1/auth/me/recovery-codes')
      .set('Authorization', `Bearer ${recovered.body.accessToken}`)
      .send({})
      .expect(201);
    used.recoveryCodes.push(...recoveryForms(fresh.body.codes as string[]));

    const again = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    used.tokens.push(again.body.mfaToken);
    const second = await mfaCall(t, again.body.mfaToken, 'verify', {
      code: code(secret, 30),
      rememberDevice: true,
    }).expect(200);
    used.tokens.push(second.body.accessToken, second.body.refreshToken);
    // Device tokens (v1.1 §7): one remembered, then sent back at login (kept through the sign-in).
    const deviceToken = second.body.deviceToken as string;
    const remembered = await t
      .http()
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, username: user.username, password: user.password, deviceToken })
      .expect(200);
    expect(remembered.body.status).toBe('AUTHENTICATED');
    used.tokens.push(remembered.body.accessToken, remembered.body.refreshToken);
    used.deviceTokens.push(
      deviceToken,
      Buffer.from(deviceToken, 'base64url').toString('hex'),
      first.body.deviceToken,
      recovered.body.deviceToken,
    );
    const refreshed = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken })
      .expect(200);
    used.tokens.push(refreshed.body.accessToken, refreshed.body.refreshToken);
    // A replayed refresh token and a logout are logged requests too.
    await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken })
      .expect(401);
    await t
      .http()
      .post('/v1/auth/logout')
      .set('Authorization', `Bearer ${first.body.accessToken}`)
      .expect(204);
    const newPassword = 'a-brand-new-password-42';
    used.passwords.push(newPassword);
    await updateUser(t, tenant, user.id, { password: newPassword });
    // After the password change the device is known but not remembered: its token rides the
    // sign-in (sealed) to the verify.
    const pending = await t
      .http()
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, username: user.username, password: newPassword, deviceToken })
      .expect(200);
    expect(pending.body.status).toBe('TWO_FACTOR_REQUIRED');
    used.tokens.push(pending.body.mfaToken);

    const dump = await dumpDatabase(t.databaseUrl);
    expect(dump).toContain(user.username); // the dump did read the data
    expect(dump).toMatch(/refresh_tokens|[0-9a-f]{8}-/); // …and more than one table
    expect(dump).toContain('RECOVERY_CODE_USED'); // …the audit events included
    expect(dump).toContain('DEVICE_REMEMBERED'); // …with the device events
    await new Promise((r) => setTimeout(r, 100));
    const logs = t.logs();
    expect(logs).toContain('/v1/auth/refresh'); // the requests were logged
    for (const [where, text] of Object.entries({ database: dump, logs })) {
      for (const [kind, values] of Object.entries(used))
        for (const value of values) {
          // A JWT also counts as leaked when only its signature appears.
          const parts = value.split('.').length === 3 ? [value, value.split('.')[2]] : [value];
          for (const part of parts)
            expect({ where, kind, leaked: text.includes(part) }).toEqual({
              where,
              kind,
              leaked: false,
            });
        }
    }
  });
});
