import type { Page } from 'playwright-core';
import { createTenant, createUser, TestTenant, TestUser } from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  mfaCall,
  passwordLogin,
  registerByEmail,
} from '../factories/two-factor.factory';
import type { TestApp } from '../support/test-app';
import { useBrowserWithApp } from './browser-session';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const statusShows = (page: Page, text: string | RegExp) =>
  page.locator('#admin-status', { hasText: text }).waitFor();

/**
 * Issues 14 and 15, the admin console: the email templates tab (edit, preview, a refused save,
 * reset, an own locale), a user's devices with Revoke, and the recovery-code and remembered-device
 * settings.
 */
describe('admin console: email templates, devices, 2FA settings (headless Chromium)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let alice: TestUser;
  const { browser, smtp } = useBrowserWithApp('admin-templates', (app) => (t = app));
  const adminAddress = 'admin@templates.test';
  const aliceAddress = 'alice@templates.test';

  const api = (method: 'get' | 'put' | 'delete', path: string) =>
    t.http()[method](`/v1/tenants/${tenant.slug}${path}`).set('X-Api-Key', t.platformKey);

  /** The admin signs in through the console, second factor included. */
  async function openConsole(): Promise<Page> {
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/admin?tenant=${tenant.slug}`);
    await page.waitForSelector('#login-form');
    await page.fill('#username', tenant.admin.username);
    await page.fill('#password', tenant.admin.password);
    const before = smtp.to(adminAddress).length;
    await page.click('#login');
    await page.waitForSelector('#code-form');
    await page.fill('#code', await smtp.codeFor(adminAddress, before + 1));
    await page.click('#verify');
    await page.waitForSelector('#settings-form');
    return page;
  }

  beforeAll(async () => {
    tenant = await createTenant(t);
    await enableEmailTwoFactor(t, tenant, smtp, {
      otp: { resendCooldownSeconds: 0 },
      rememberDevice: { enabled: true, days: 30 },
    });
    await registerByEmail(t, smtp, tenant, tenant.admin, adminAddress);
    alice = await createUser(t, tenant, { username: 'alice' });
    await registerByEmail(t, smtp, tenant, alice, aliceAddress);
  });

  /** The German login_code template as the API has it now. */
  const germanLoginCode = async () =>
    (await api('get', '/email-templates/login_code/de').expect(200)).body as {
      custom: boolean;
      subject: string;
      text: string;
    };

  it('edits, previews, saves, refuses and resets the German login_code template', async () => {
    const page = await openConsole();
    await page.click('#tab-templates');
    await page.waitForSelector('#templates tbody tr');
    // Every kind in the built-in locales; the tenant's default locale, read-only.
    for (const kind of ['login_code', 'registration_code', 'recovery_code_used', 'channel_test'])
      for (const locale of ['en', 'de', 'fr', 'es', 'pt'])
        expect(
          await page.locator(`#templates button[data-template="${kind}/${locale}"]`).count(),
        ).toBe(1);
    expect(await page.locator('#default-locale strong').innerText()).toBe('en');
    const button = page.locator('#templates button[data-template="login_code/de"]');
    expect(await button.getAttribute('data-custom')).toBe('false');

    await button.click();
    await page.waitForSelector('#template-form');
    expect(await page.locator('#template-editor-title').innerText()).toBe('login_code · de');
    const builtIn = await germanLoginCode();
    expect(await page.inputValue('#template-subject')).toBe(builtIn.subject);
    expect(await page.inputValue('#template-text')).toBe(builtIn.text);

    // An unsaved edit, previewed with the sample values; its HTML only inside the sandbox.
    const subject = 'Ihr Anmeldecode für {{tenantName}}: {{code}}';
    const text =
      'Hallo {{displayName}},\n\nIhr Code lautet {{code}} und gilt {{minutes}} Minuten.\nAnmeldung von {{browser}} ({{ip}}).';
    const html =
      '<p id="from-template">Code <b>{{code}}</b>, {{minutes}} Minuten, {{browser}}, {{ip}}</p>';
    await page.fill('#template-subject', subject);
    await page.fill('#template-text', text);
    await page.fill('#template-html', html);
    await page.click('#template-preview-button');
    await page.waitForSelector('#template-preview');
    expect(await page.locator('#preview-subject').innerText()).toBe(
      `Ihr Anmeldecode für ${tenant.name}: 123456`,
    );
    const shownText = await page.locator('#preview-text').innerText();
    expect(shownText).toContain('Hallo Jane Doe');
    expect(shownText).toContain('Ihr Code lautet 123456 und gilt 5 Minuten.');
    expect(shownText).toContain('203.0.113.7');
    const frame = page.locator('#preview-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('<b>123456</b>');
    expect(await page.frameLocator('#preview-html').locator('#from-template b').innerText()).toBe(
      '123456',
    );
    // Never parsed into the console itself.
    expect(await page.locator('#from-template').count()).toBe(0);
    await browser.shot(page, 'template-preview');
    // Nothing is saved by a preview.
    expect((await germanLoginCode()).custom).toBe(false);

    await page.click('#template-save');
    await statusShows(page, "Saved: login_code (de) is this tenant's own template now.");
    const saved = await germanLoginCode();
    expect(saved).toMatchObject({ custom: true, subject, text, html });
    expect(await button.getAttribute('data-custom')).toBe('true');
    expect(await button.innerText()).toMatch(/de · own$/);

    // A refused save: without {{code}} the service answers 400, shown next to the text field.
    await page.fill('#template-subject', 'Ihr Anmeldecode für {{tenantName}}');
    await page.fill('#template-text', text.replace('{{code}}', '(fehlt)'));
    await page.click('#template-save');
    await page.locator('#template-text-error', { hasText: '{{code}}' }).waitFor();
    expect(await page.locator('#admin-alert').innerText()).toContain('Please check the form');
    await browser.shot(page, 'template-refused');
    expect((await germanLoginCode()).subject).toBe(subject);

    // Reset to the built-in one.
    await page.click('#template-reset');
    await statusShows(page, 'login_code (de) is back to the built-in template.');
    const reset = await germanLoginCode();
    expect(reset).toMatchObject({ custom: false, subject: builtIn.subject });
    expect(await button.getAttribute('data-custom')).toBe('false');
  });

  it('adds a locale of the tenant, starting from its language', async () => {
    const page = await openConsole();
    await page.click('#tab-templates');
    await page.waitForSelector('#new-template-form');

    // Not a BCP 47 tag: the service's refusal.
    await page.fill('#new-template-locale', 'not a tag');
    await page.click('#new-template-open');
    await page.locator('#admin-alert', { hasText: 'BCP 47' }).waitFor();

    await page.selectOption('#new-template-kind', 'registration_code');
    // Typed in any case; saved under the canonical tag.
    await page.fill('#new-template-locale', 'de-ch');
    await page.click('#new-template-open');
    await page
      .locator('#template-editor-title', { hasText: 'registration_code · de-ch' })
      .waitFor();
    const german = (await api('get', '/email-templates/registration_code/de').expect(200)).body;
    expect(await page.inputValue('#template-text')).toBe(german.text);
    await page.fill('#template-subject', 'Grüezi: {{code}}');
    await page.click('#template-save');
    await statusShows(page, "Saved: registration_code (de-CH) is this tenant's own template now.");
    expect(await page.locator('#template-editor-title').innerText()).toBe(
      'registration_code · de-CH',
    );
    expect(await page.locator('#template-reset').count()).toBe(1);
    await page
      .locator('#templates button[data-template="registration_code/de-CH"][data-custom="true"]')
      .waitFor();
    const list = (await api('get', '/email-templates').expect(200)).body.items as Array<{
      kind: string;
      locale: string;
      custom: boolean;
    }>;
    expect(list).toContainEqual(
      expect.objectContaining({ kind: 'registration_code', locale: 'de-CH', custom: true }),
    );
  });

  it("lists a user's remembered device and revokes it; the next login asks for the code", async () => {
    // Alice signs in with "remember this device".
    const before = smtp.to(aliceAddress).length;
    const first = await passwordLogin(t, tenant.slug, alice.username, alice.password)
      .set('User-Agent', CHROME)
      .expect(200);
    const code = await smtp.codeFor(aliceAddress, before + 1);
    const verified = await mfaCall(t, first.body.mfaToken, 'verify', {
      code,
      rememberDevice: true,
    })
      .set('User-Agent', CHROME)
      .expect(200);
    const deviceToken = verified.body.deviceToken as string;
    /** Alice's password sign-in from the remembered browser. */
    const signInOnDevice = () =>
      passwordLogin(t, tenant.slug, alice.username, alice.password, { deviceToken })
        .set('User-Agent', CHROME)
        .expect(200);
    expect((await signInOnDevice()).body.status).toBe('AUTHENTICATED');

    const page = await openConsole();
    await page.click('#tab-users');
    const aliceRow = page.locator('#users tbody tr[data-user="alice"]');
    await aliceRow.waitFor();
    // The recovery-code count and the lock state are shown.
    expect(await aliceRow.locator('td.recovery').innerText()).toMatch(/\d+/);
    expect(await aliceRow.locator('td.lock').innerText()).toContain('0 wrong');
    await aliceRow.locator('button[data-devices]').click();
    await page.locator('#devices-title', { hasText: 'Devices of alice' }).waitFor();
    const device = page.locator('#user-devices tbody tr', { hasText: 'Chrome 131' });
    expect(await device.count()).toBe(1);
    expect(await device.locator('td').nth(1).innerText()).toMatch(/yes, until in \d+ d/);
    expect(await device.locator('td').nth(2).innerText()).toMatch(/just now|ago/);
    await browser.shot(page, 'user-devices');

    await device.locator('button[data-revoke-device]').click();
    await statusShows(page, /of alice is revoked\.$/);
    expect(await page.locator('#user-devices tbody tr', { hasText: 'Chrome 131' }).count()).toBe(0);
    const { body } = await api('get', `/users/${alice.id}/devices`).expect(200);
    expect(body.items.filter((d: { remembered: boolean }) => d.remembered)).toEqual([]);

    // The same browser, its device revoked: the code again.
    expect((await signInOnDevice()).body.status).toBe('TWO_FACTOR_REQUIRED');
  });

  it('shows an indefinite lock in the users tab, and Unlock clears it', async () => {
    const bob = await createUser(t, tenant, { username: 'bob' });
    await registerByEmail(t, smtp, tenant, bob, 'bob@templates.test');
    // 100 wrong recovery codes: a timed lock on the way, then the ceiling (API.md v1.1 §2).
    let mfaToken = (await passwordLogin(t, tenant.slug, bob.username, bob.password).expect(200))
      .body.mfaToken as string;
    for (let i = 0; i < 100; i++) {
      const res = await mfaCall(t, mfaToken, 'verify', { recoveryCode: `0000-0000-${1000 + i}` });
      if (res.status === 429) {
        const locked = await passwordLogin(t, tenant.slug, bob.username, bob.password).expect(429);
        mfaToken = locked.body.mfaToken as string;
      }
    }
    const view = (await api('get', `/users/${bob.id}`).expect(200)).body;
    expect(view.twoFactor).toMatchObject({ lockedIndefinitely: true, lockedUntil: null });

    const page = await openConsole();
    await page.click('#tab-users');
    const bobRow = page.locator('#users tbody tr[data-user="bob"]');
    await bobRow.waitFor();
    expect(await bobRow.locator('td.lock').innerText()).toContain(
      'locked until an admin unlocks or resets',
    );
    expect(await bobRow.locator('td.recovery').innerText()).toBe(
      String(view.twoFactor.recoveryCodesRemaining),
    );
    await bobRow.locator('button[data-unlock]').click();
    await statusShows(page, 'bob is unlocked.');
    expect(await bobRow.locator('td.lock').innerText()).toContain('0 wrong');
    const after = (await api('get', `/users/${bob.id}`).expect(200)).body;
    expect(after.twoFactor).toMatchObject({ lockedIndefinitely: false, consecutiveFailures: 0 });
  });

  it('saves the remembered-device and recovery-code settings', async () => {
    const page = await openConsole();
    expect(await page.locator('#remember-enabled').isChecked()).toBe(true);
    expect(await page.inputValue('#remember-days')).toBe('30');
    expect(await page.locator('#recovery-enabled').isChecked()).toBe(true);
    await page.fill('#remember-days', '14');
    await page.uncheck('#recovery-enabled');
    await page.click('#settings-save');
    await statusShows(page, /^Saved: two-factor sign-in is on/);
    const settings = (await api('get', '/settings/2fa').expect(200)).body;
    expect(settings).toMatchObject({
      rememberDevice: { enabled: true, days: 14 },
      recoveryCodes: { enabled: false },
    });

    // Out of range: the service's 400, the settings unchanged.
    await page.fill('#remember-days', '91');
    await page.click('#settings-save');
    await page.locator('#admin-alert', { hasText: 'rememberDevice.days' }).waitFor();
    expect((await api('get', '/settings/2fa').expect(200)).body.rememberDevice.days).toBe(14);

    await page.fill('#remember-days', '14');
    await page.uncheck('#remember-enabled');
    await page.click('#settings-save');
    await statusShows(page, /^Saved: two-factor sign-in is on/);
    expect((await api('get', '/settings/2fa').expect(200)).body.rememberDevice.enabled).toBe(false);
  });
});
