import { AuditService } from '../../src/audit/audit.service';
import { createTenant, createUser } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
  registeredEmailUser,
} from '../factories/two-factor.factory';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

/**
 * The round trips of the hot paths (issue 12, v1.1 §1): counted by the service itself
 * (efcx_db_queries_total, BEGIN/COMMIT included), with the audit rows the operation wrote flushed.
 * A regression here is a design change, not noise: the counts are exact.
 */
describe('statements per operation', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...UNREACHABLE_THROTTLE_LIMITS } });

  const statements = async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    return Number(/^efcx_db_queries_total (\d+)$/m.exec(text)?.[1]);
  };
  /** Statements `op` sent, its detached audit rows included. */
  async function counted(op: () => Promise<unknown>): Promise<number> {
    const audit = t.app.get(AuditService);
    await audit.flush();
    const before = await statements();
    await op();
    await audit.flush();
    return (await statements()) - before;
  }

  it('email: a login sends its code in at most 6 statements, the verify takes at most 2', async () => {
    const { tenant, user, address } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 0 } },
      'budget',
    );
    let mfaToken = '';
    const login = await counted(async () => {
      const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      mfaToken = res.body.mfaToken as string;
    });
    const code = await smtp.codeFor(address, 2);
    const verify = await counted(() => mfaCall(t, mfaToken, 'verify', { code }).expect(200));
    expect(login).toBeLessThanOrEqual(6);
    expect(verify).toBeLessThanOrEqual(2);
  });

  it('authenticator: the verify takes at most 2 statements', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableAuthenticatorTwoFactor(t, tenant);
    const app = await enrollAuthenticator(t, tenant, user);
    let mfaToken = '';
    const login = await counted(async () => {
      const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
      mfaToken = res.body.mfaToken as string;
    });
    const verify = await counted(() =>
      mfaCall(t, mfaToken, 'verify', { code: app.code(Date.now() / 1000 + 30) }).expect(200),
    );
    expect(login).toBeLessThanOrEqual(8);
    expect(verify).toBeLessThanOrEqual(2);
  });

  it('a remembered device (v1.1 §7) costs no statement of its own: its login takes what a 2FA-off login takes', async () => {
    const plain = await createTenant(t);
    const plainUser = await createUser(t, plain);
    await passwordLogin(t, plain.slug, plainUser.username, plainUser.password).expect(200);
    const passwordOnly = await counted(() =>
      passwordLogin(t, plain.slug, plainUser.username, plainUser.password).expect(200),
    );

    const { tenant, user, address } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 0 }, rememberDevice: { enabled: true } },
      'budget-r',
    );
    const res = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const verified = await mfaCall(t, res.body.mfaToken, 'verify', {
      code: await smtp.codeFor(address, 2),
      rememberDevice: true,
    }).expect(200);
    const deviceToken = verified.body.deviceToken as string;
    const login = () =>
      passwordLogin(t, tenant.slug, user.username, user.password, { deviceToken })
        .expect(200)
        .expect((r) => expect(r.body.status).toBe('AUTHENTICATED'));
    await login();
    expect(await counted(login)).toBe(passwordOnly);
  });
});
