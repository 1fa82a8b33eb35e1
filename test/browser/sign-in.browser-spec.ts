import type { Page } from 'playwright-core';
import { createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import {
  enableAuthenticatorTwoFactor,
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  registerByEmailAnswer,
  registeredEmailUser,
} from '../factories/two-factor.factory';
import { base32Decode, independentTotp } from '../support/independent-totp';
import { TestApp } from '../support/test-app';
import { useBrowserWithApp } from './browser-session';

// Page-side expressions are strings: the tests compile without the DOM library.
const focused = (page: Page) =>
  page.evaluate('document.activeElement ? document.activeElement.id : null') as Promise<
    string | null
  >;
// Locator waits (not waitForFunction strings: the page's CSP forbids eval, as it should).
const alertShown = (page: Page) => page.locator('#alert').filter({ hasText: /\S/ }).waitFor();
const resendEnabled = (page: Page, enabled: boolean) =>
  page.locator(enabled ? '#resend:enabled' : '#resend:disabled').waitFor({ timeout: 8000 });
const alertText = (page: Page) => page.locator('#alert').innerText();

/** Types into the focused field and moves on with the keyboard only (no mouse anywhere). */
async function typeAndTab(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

/** The credentials step, by keyboard: the page opens with ?tenant=, so focus is on username. */
async function signInWithPassword(page: Page, username: string, password: string) {
  await page.waitForSelector('#login-form');
  expect(await focused(page)).toBe('username');
  await typeAndTab(page, username);
  expect(await focused(page)).toBe('password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

/** Signs out with the keyboard, then in again with the password of `user`. */
async function signOutAndBackIn(page: Page, user: { username: string; password: string }) {
  await page.locator('#logout').focus();
  await page.keyboard.press('Enter');
  await signInWithPassword(page, user.username, user.password);
}

async function expectCodeField(page: Page): Promise<void> {
  await page.waitForSelector('#code-form');
  expect(await focused(page)).toBe('code');
  const code = page.locator('#code');
  expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
  expect(await code.getAttribute('inputmode')).toBe('numeric');
  // The label names the field for assistive technology.
  expect(await page.locator('label[for="code"]').innerText()).toBe('Code');
}

async function expectSignedIn(page: Page, username: string, amr: string[]): Promise<void> {
  await page.waitForSelector('#claims');
  expect(await page.locator('#who').innerText()).toBe(`Signed in as ${username}`);
  const amrRow = page.locator('#claims tr', { has: page.locator('th', { hasText: /^amr$/ }) });
  expect(await amrRow.locator('td').innerText()).toBe(JSON.stringify(amr));
  expect(await page.locator('#claims th', { hasText: /^sid$/ }).count()).toBe(1);
}

describe('sign-in page (headless Chromium)', () => {
  let t: TestApp;
  const { browser, smtp } = useBrowserWithApp('sign-in', (app) => (t = app));
  let tenant: TestTenant;

  it('email: registration, sign-in, a wrong code, the resend countdown, a new code, sign-out', async () => {
    tenant = await createTenant(t);
    const user = await createUser(t, tenant);
    await enableEmailTwoFactor(t, tenant, smtp, { otp: { resendCooldownSeconds: 4 } });
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${tenant.slug}`);
    await browser.shot(page, 'email-credentials');

    // Registration: the address, confirmed by a code from the test's SMTP server.
    await signInWithPassword(page, user.username, user.password);
    await page.waitForSelector('#register-form');
    expect(await focused(page)).toBe('destination');
    await browser.shot(page, 'email-register');
    await page.keyboard.type('Dana@Example.test');
    await page.keyboard.press('Enter');
    await expectCodeField(page);
    expect(await page.locator('#destination-text').innerText()).toBe(
      'We sent a code to D***@Example.test.',
    );
    await browser.shot(page, 'email-register-code');
    const first = await smtp.codeFor('dana@example.test');
    await page.keyboard.type(first);
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);
    expect(await page.locator('#me-2fa').innerText()).toBe('email (D***@Example.test)');
    await browser.shot(page, 'email-signed-in');

    // Sign out, sign in again: the code step with the masked address.
    await signOutAndBackIn(page, user);
    await expectCodeField(page);
    expect(await page.locator('#destination-text').innerText()).toBe(
      'We sent a code to D***@Example.test.',
    );
    const second = await smtp.codeFor('dana@example.test', 2);

    // The resend button counts down resendAvailableAt (4 s here), then is available.
    const resend = page.locator('#resend');
    expect(await resend.isDisabled()).toBe(true);
    expect(await resend.innerText()).toMatch(/^Send a new code \([1-4] s\)$/);
    await browser.shot(page, 'email-countdown');

    // A wrong code: the generic message, the field cleared and focused again.
    const wrong = second === '000000' ? '111111' : '000000';
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await alertShown(page);
    expect(await alertText(page)).toBe('That code is not valid. Check it, or ask for a new one.');
    expect(await page.locator('#code').inputValue()).toBe('');
    expect(await focused(page)).toBe('code');
    await browser.shot(page, 'email-wrong-code');

    await resendEnabled(page, true);
    expect(await resend.innerText()).toBe('Send a new code');
    await resend.focus();
    await page.keyboard.press('Enter');
    const third = await smtp.codeFor('dana@example.test', 3);
    // The button is disabled while the request is in flight too: wait for the answer's status.
    await page.locator('#status', { hasText: 'A new code is on its way.' }).waitFor();
    await resendEnabled(page, false);
    await browser.shot(page, 'email-resent');

    // The replaced code is refused; the newest works.
    await page.locator('#code').focus();
    await page.keyboard.type(second);
    await page.keyboard.press('Enter');
    await alertShown(page);
    expect(await alertText(page)).toBe('That code is not valid. Check it, or ask for a new one.');
    await page.keyboard.type(third);
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);

    // The page's refresh button rotates the tokens (same session).
    const sidBefore = await page
      .locator('#claims tr', { has: page.locator('th', { hasText: /^sid$/ }) })
      .locator('td')
      .innerText();
    await page.locator('#refresh').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.status');
    const sidAfter = await page
      .locator('#claims tr', { has: page.locator('th', { hasText: /^sid$/ }) })
      .locator('td')
      .innerText();
    expect(sidAfter).toBe(sidBefore);
    await browser.shot(page, 'email-refreshed');
  });

  it('email: a failed delivery, too many wrong codes, and a resend inside the cooldown say so', async () => {
    const strict = await createTenant(t);
    await enableEmailTwoFactor(t, strict, smtp, {
      otp: { resendCooldownSeconds: 3, maxAttempts: 2 },
    });
    const user = await createUser(t, strict);
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${strict.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await page.waitForSelector('#register-form');
    smtp.rejectWith = 550;
    try {
      await page.keyboard.type('erin@example.test');
      await page.keyboard.press('Enter');
      await alertShown(page);
      expect(await alertText(page)).toBe(
        'We could not send the code. Please try again in a moment.',
      );
      await browser.shot(page, 'email-delivery-failed');
    } finally {
      smtp.rejectWith = null;
    }
    // Still on the registration step: trying again sends.
    await page.locator('#destination').fill('erin@example.test');
    await page.locator('#destination').press('Enter');
    await expectCodeField(page);
    const code = await smtp.codeFor('erin@example.test');
    const wrong = code === '000000' ? '111111' : '000000';

    // maxAttempts (2) wrong codes: the code is dead, even the right one.
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await page.locator('#alert', { hasText: 'That code is not valid' }).waitFor();
    await page.locator('#verify:enabled').waitFor();
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await page.locator('#alert', { hasText: 'Too many wrong codes' }).waitFor();
    expect(await alertText(page)).toBe(
      'Too many wrong codes. Ask for a new code, or sign in again.',
    );
    await browser.shot(page, 'email-attempts-exceeded');

    // The countdown ends; meanwhile another registration attempt of the same user (another
    // tab) sends a code and restarts the cooldown: resend here says how long to wait.
    await resendEnabled(page, true);
    const other = await passwordLogin(t, strict.slug, user.username, user.password).expect(200);
    await mfaCall(t, other.body.mfaToken, 'register', { destination: 'erin@example.test' }).expect(
      200,
    );
    await page.locator('#resend').focus();
    await page.keyboard.press('Enter');
    await alertShown(page);
    expect(await alertText(page)).toMatch(/^Please wait [1-3] s before asking for a new code\.$/);
    expect(await page.locator('#resend').isDisabled()).toBe(true);
    await browser.shot(page, 'email-resend-cooldown');

    // Once it has run out, resend sends; the newest code signs in.
    await resendEnabled(page, true);
    await page.locator('#resend').focus();
    await page.keyboard.press('Enter');
    const newest = await smtp.codeFor('erin@example.test', 3);
    await page.locator('#code').focus();
    await page.keyboard.type(newest);
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);
  });

  it('authenticator: registration with the QR code and the key shown, then a sign-in with a later code', async () => {
    const other = await createTenant(t);
    const user = await createUser(t, other);
    await enableAuthenticatorTwoFactor(t, other);

    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${other.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await expectCodeField(page);
    const qr = page.locator('#qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // Decoded and drawn: a broken data URL would have no natural size.
    expect(await page.evaluate("document.getElementById('qr').naturalWidth")).toBeGreaterThan(0);
    expect(await qr.getAttribute('alt')).toContain('QR code');
    // The key as a person reads it (groups of four), and as an app takes it.
    const shown = await page.locator('#secret').innerText();
    const secret = shown.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.locator('#otpauth').getAttribute('href')).toContain(`secret=${secret}`);
    await browser.shot(page, 'app-register');

    const key = base32Decode(secret);
    const opts = { algorithm: 'SHA1' as const, digits: 6, period: 30 };
    await page.keyboard.type(independentTotp(key, opts));
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);
    expect(await page.locator('#me-2fa').innerText()).toBe('authenticator');
    await browser.shot(page, 'app-signed-in');

    // Next sign-in: the code step; a code of the next time step (inside window 1), since the
    // current step was used at registration and is never accepted twice.
    await signOutAndBackIn(page, user);
    await expectCodeField(page);
    expect(await page.locator('#destination-text').innerText()).toBe(
      'Enter the code your authenticator app shows.',
    );
    expect(await page.locator('#resend').count()).toBe(0);
    await browser.shot(page, 'app-code');
    await page.keyboard.type(independentTotp(key, opts, Date.now() / 1000 + 30));
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);
  });

  it('remember this device: the next sign-in of this browser skips the code (acr 2fa-remembered)', async () => {
    const {
      tenant: remembering,
      user,
      address,
    } = await registeredEmailUser(
      t,
      smtp,
      { otp: { resendCooldownSeconds: 0 }, rememberDevice: { enabled: true, days: 30 } },
      'remember',
    );
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${remembering.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await expectCodeField(page);
    const checkbox = page.locator('#remember-device');
    expect(await page.locator('label[for="remember-device"]').innerText()).toBe(
      'Remember this device',
    );
    expect(await checkbox.isChecked()).toBe(false);
    await checkbox.focus();
    await page.keyboard.press('Space');
    expect(await checkbox.isChecked()).toBe(true);
    await browser.shot(page, 'remember-device');
    await page.locator('#code').focus();
    await page.keyboard.type(await smtp.codeFor(address, 2));
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);

    const mails = smtp.to(address).length;
    await signOutAndBackIn(page, user);
    await expectSignedIn(page, user.username, ['pwd']);
    const acr = page.locator('#claims tr', { has: page.locator('th', { hasText: /^acr$/ }) });
    expect(await acr.locator('td').innerText()).toBe('"2fa-remembered"');
    expect(smtp.to(address)).toHaveLength(mails);
    await browser.shot(page, 'remembered-signed-in');
  });

  it('a recovery code instead of the code: the link relabels the field and signs in', async () => {
    const recovering = await createTenant(t);
    const user = await createUser(t, recovering);
    await enableEmailTwoFactor(t, recovering, smtp);
    const address = `recover-${recovering.slug}@example.test`;
    const registered = await registerByEmailAnswer(t, smtp, recovering, user, address);
    const codes = registered.recoveryCodes as string[];
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${recovering.slug}`);
    await signInWithPassword(page, user.username, user.password);
    await expectCodeField(page);
    await page.locator('#use-recovery').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('label[for="code"]').innerText()).toBe('Recovery code');
    expect(await focused(page)).toBe('code');
    expect(await page.locator('#code').getAttribute('inputmode')).toBe('text');
    await browser.shot(page, 'recovery-code');
    await page.keyboard.type(codes[3].toLowerCase());
    await page.keyboard.press('Enter');
    await expectSignedIn(page, user.username, ['pwd', 'otp']);
    // Used up: the same code is refused at the next sign-in.
    const again = await passwordLogin(t, recovering.slug, user.username, user.password).expect(200);
    await mfaCall(t, again.body.mfaToken, 'verify', { recoveryCode: codes[3] }).expect(401);
  });

  it('wrong password: the generic message; the page asks for nothing outside the service', async () => {
    const user = await createUser(t, tenant);
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/?tenant=${tenant.slug}`);
    await signInWithPassword(page, user.username, 'not-the-password');
    await alertShown(page);
    expect(await alertText(page)).toBe('The tenant, username or password is not right.');
    await browser.shot(page, 'wrong-password');
    expect(browser.requested.some((u) => u.endsWith('/ui/signin-page.js'))).toBe(true);
  });
});
