import type { Page } from 'playwright-core';
import { createTenant, createUser } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  enrollAuthenticator,
  mfaCall,
  passwordLogin,
} from '../factories/two-factor.factory';
import { base32Decode, independentTotp } from '../support/independent-totp';
import { TestApp } from '../support/test-app';
import { useBrowserWithApp } from './browser-session';

const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
const PHONE = { width: 390, height: 844 };

/** The credentials step of the sign-in page (opened with ?tenant=). */
async function signInWithPassword(page: Page, username: string, password: string) {
  await page.waitForSelector('#login-form');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#password').press('Enter');
}

/** Nothing wider than the viewport: usable on a 390 px phone without sideways scrolling. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  expect(width).toBeLessThanOrEqual(PHONE.width);
}

describe('account page (headless Chromium)', () => {
  let t: TestApp;
  const { browser, smtp } = useBrowserWithApp('account', (app) => (t = app));

  it('lost phone: signed in with a recovery code, the account page enrols a new authenticator; the next sign-in takes its code, not the old one', async () => {
    const tenant = await createTenant(t);
    await enableAuthenticatorTwoFactor(t, tenant);
    const user = await createUser(t, tenant);
    const oldPhone = await enrollAuthenticator(t, tenant, user);
    const enrolledStep = Math.floor(Date.now() / 1000 / 30);

    // The sign-in with a recovery code (the API; the sign-in page has no recovery-code step
    // yet), handed to this tab as the sign-in page hands its tokens to /account.
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    const recovered = await mfaCall(t, login.body.mfaToken, 'verify', {
      recoveryCode: oldPhone.recoveryCodes[0],
    }).expect(200);
    const page = await browser.newPage(t.url);
    await page.setViewportSize(PHONE);
    await page.goto(`${t.url}/account`);
    await page.locator('#signed-out').waitFor();
    const stored = JSON.stringify({
      accessToken: recovered.body.accessToken,
      refreshToken: recovered.body.refreshToken,
      tenant: tenant.slug,
    });
    await page.evaluate(`sessionStorage.setItem('efcx.session', ${JSON.stringify(stored)})`);
    await page.reload();

    await page.locator('#account-user').waitFor();
    expect(await page.locator('#account-user').innerText()).toBe(user.username);
    expect(await page.locator('#account-2fa').innerText()).toBe('authenticator');
    expect(await page.locator('#account-recovery-left').innerText()).toBe('9');
    // The browser that just signed in is listed (v1.1 §7), not remembered.
    await page.locator('#devices [data-device]').first().waitFor();
    expect(await page.locator('#devices').innerText()).toContain('not remembered');
    await browser.shot(page, 'lost-phone-account');

    await page.locator('#change-factor').click();
    await page.locator('#confirm-form').waitFor();
    expect(await page.locator('#qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await page.evaluate("document.getElementById('qr').naturalWidth")).toBeGreaterThan(0);
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    expect(await page.locator('#otpauth').getAttribute('href')).toContain(`secret=${secret}`);
    await expectNoSidewaysScroll(page);
    await browser.shot(page, 'lost-phone-qr');

    const key = base32Decode(secret);
    const opts = { algorithm: 'SHA1' as const, digits: 6, period: 30 };
    // The enrolment spent its time step for this user: the next one (inside window 1).
    await page.locator('#new-code').fill(independentTotp(key, opts, (enrolledStep + 1) * 30));
    await page.locator('#new-code').press('Enter');
    await page.locator('#status', { hasText: 'Your second factor was changed' }).waitFor();
    expect(await page.locator('#account-2fa').innerText()).toBe('authenticator');
    await browser.shot(page, 'lost-phone-changed');

    // A new sign-in on the sign-in page: the old phone's code is refused, the new one's works.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, (enrolledStep + 1) * 30000 - Date.now() + 200)),
    );
    const next = (enrolledStep + 2) * 30;
    await page.goto(`${t.url}/?tenant=${tenant.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await page.locator('#code-form').waitFor();
    await page.locator('#code').fill(oldPhone.code(next));
    await page.locator('#code').press('Enter');
    await page.locator('#alert', { hasText: 'That code is not valid' }).waitFor();
    await page.locator('#verify:enabled').waitFor();
    await page.locator('#code').fill(independentTotp(key, opts, next));
    await page.locator('#code').press('Enter');
    await page.locator('#who').waitFor();
    expect(await page.locator('#who').innerText()).toBe(`Signed in as ${user.username}`);
    await browser.shot(page, 'lost-phone-new-sign-in');
  });

  it('from the sign-in page to /account: regenerate shows 10 codes once, with Copy and Download; at 390 px', async () => {
    const tenant = await createTenant(t);
    await enableEmailTwoFactor(t, tenant, smtp, { otp: { resendCooldownSeconds: 0 } });
    const user = await createUser(t, tenant);
    const address = `${user.username}@${tenant.slug}.test`;
    const page = await browser.newPage(t.url);
    await page.setViewportSize(PHONE);
    await page.goto(`${t.url}/?tenant=${tenant.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await page.locator('#destination').fill(address);
    await page.locator('#destination').press('Enter');
    await page.locator('#code').fill(await smtp.codeFor(address));
    await page.locator('#code').press('Enter');
    await page.locator('#account-link').click();

    await page.locator('#account-user').waitFor();
    expect(await page.url()).toBe(`${t.url}/account`);
    expect(await page.locator('#account-2fa').innerText()).toBe(
      `email (${user.username[0]}***@${tenant.slug}.test)`,
    );
    expect(await page.locator('#account-recovery-left').innerText()).toBe('10');
    // Devices: the signed-in browser is listed; Revoke takes it off the list.
    const listed = page.locator('#devices [data-device]');
    await listed.first().waitFor();
    const before = await listed.count();
    await listed.first().click();
    await page.getByText('Device revoked.').waitFor();
    // A locator wait (a waitForFunction string is eval, which the page's CSP refuses).
    await listed.nth(before - 1).waitFor({ state: 'detached' });
    expect(await listed.count()).toBe(before - 1);
    await expectNoSidewaysScroll(page);
    await browser.shot(page, 'account');

    await page.locator('#regenerate').click();
    await page.locator('#recovery-codes').waitFor();
    const codes = await page.locator('#recovery-codes li').allInnerTexts();
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c.trim()).toMatch(CODE_FORMAT);
    expect(await page.locator('#copy-codes').innerText()).toBe('Copy');
    const download = page.locator('#download-codes');
    expect(await download.getAttribute('download')).toBe('efcx-recovery-codes.txt');
    expect(await download.getAttribute('href')).toMatch(/^blob:/);
    expect(await page.locator('#account-recovery-left').innerText()).toBe('10');
    await expectNoSidewaysScroll(page);
    await browser.shot(page, 'recovery-codes');

    // The new codes work (one signs in), and a reload shows them no more.
    const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(t, login.body.mfaToken, 'verify', { recoveryCode: codes[0].trim() }).expect(200);
    await page.reload();
    await page.locator('#account-recovery-left', { hasText: '9' }).waitFor();
    expect(await page.locator('#recovery-codes').count()).toBe(0);

    // Email: change the address on the page; the code goes to the new one.
    const newAddress = `new-${address}`;
    await page.locator('#change-factor').click();
    await page.locator('#new-destination').fill(newAddress);
    await page.locator('#new-destination').press('Enter');
    await page.locator('#sent-to').waitFor();
    await page.locator('#new-code').fill(await smtp.codeFor(newAddress));
    await page.locator('#new-code').press('Enter');
    await page.locator('#status', { hasText: 'Your second factor was changed' }).waitFor();
    expect(await page.locator('#account-2fa').innerText()).toBe(`email (n***@${tenant.slug}.test)`);
  });

  it('a password-only sign-in: the account page asks to sign in again with the second factor', async () => {
    const tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${tenant.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await page.locator('#account-link').click();
    await page.locator('#regenerate').click();
    await page.locator('#reauth-link').waitFor();
    expect(await page.locator('#alert').innerText()).toContain(
      'sign in again with your second factor',
    );
    expect(await page.locator('#reauth-link').getAttribute('href')).toBe(`/?tenant=${tenant.slug}`);
    await browser.shot(page, 'reauthentication-required');
  });
});
