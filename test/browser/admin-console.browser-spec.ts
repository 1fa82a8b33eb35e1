import type { Page } from 'playwright-core';
import { createTenant, createUser } from '../factories/tenants.factory';
import { registerByEmail } from '../factories/two-factor.factory';
import { TestApp } from '../support/test-app';
import { useBrowserWithApp } from './browser-session';

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.waitForSelector('#login-form');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login');
}

const statusShows = (page: Page, text: string | RegExp) =>
  page.locator('#admin-status', { hasText: text }).waitFor();

describe('admin console (headless Chromium)', () => {
  let t: TestApp;
  const { browser, smtp } = useBrowserWithApp('admin', (app) => (t = app));

  it('turns 2FA on for a tenant, signs the admin in through it, and resets a user', async () => {
    const tenant = await createTenant(t);
    const admin = tenant.admin;
    const api = (path: string) =>
      t.http().get(`/v1/tenants/${tenant.slug}${path}`).set('X-Api-Key', t.platformKey);
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/admin?tenant=${tenant.slug}`);
    await signIn(page, admin.username, admin.password);
    await page.waitForSelector('#settings-form');
    expect(await page.locator('header h1').innerText()).toBe(`Admin console: ${tenant.slug}`);
    expect(await page.locator('#settings-enabled').isChecked()).toBe(false);
    await browser.shot(page, 'console-settings-off');

    // A channel: the tenant's SMTP (the test's server), created in the form.
    await page.click('#tab-channels');
    await page.waitForSelector('#channel-form');
    await page.fill('#channel-name', 'Corporate SMTP');
    await page.fill('#smtp-host', '127.0.0.1');
    await page.fill('#smtp-port', String(smtp.port));
    await page.selectOption('#smtp-tls', 'none'); // the sink offers no STARTTLS
    await page.fill('#smtp-from', 'EFCX <no-reply@acme.test>');
    await page.click('#channel-create');
    await statusShows(page, 'Channel Corporate SMTP created.');
    const row = page.locator('#channels tbody tr', { hasText: 'Corporate SMTP' });
    expect(await row.count()).toBe(1);

    // The channel test button delivers a real mail.
    await row.locator('input[type=email]').fill('postmaster@acme.test');
    await row.locator('button[data-test]').click();
    await statusShows(page, 'Test mail sent through Corporate SMTP to postmaster@acme.test.');
    await smtp.waitFor('postmaster@acme.test');
    await browser.shot(page, 'console-channel');

    // Turning 2FA on with no channel is refused with the generic message.
    await page.click('#tab-settings');
    await page.waitForSelector('#settings-form');
    await page.check('#settings-enabled');
    await page.selectOption('#settings-channel', { value: '' });
    await page.click('#settings-save');
    await page
      .locator('#admin-alert', {
        hasText: 'Choose an enabled channel before turning two-factor sign-in on.',
      })
      .waitFor();

    // Turning 2FA on with the channel.
    await page.selectOption('#settings-channel', { label: 'Corporate SMTP (email)' });
    await page.fill('#otp-cooldown', '0');
    await page.click('#settings-save');
    await statusShows(page, 'Saved: two-factor sign-in is on (email) from the next login.');
    const settings = (await api('/settings/2fa').expect(200)).body;
    expect(settings).toMatchObject({
      enabled: true,
      channelType: 'email',
      otp: { resendCooldownSeconds: 0 },
    });
    await browser.shot(page, 'console-settings-on');
    // The admin's own password-only session ended with it (v1.1 §3, reason policy).
    const revoked = (await api('/audit-events?type=SESSION_REVOKED').expect(200)).body;
    expect(revoked.items.map((e: { data: { reason: string } }) => e.data.reason)).toContain(
      'policy',
    );

    // The admin signs out and back in: now through 2FA, like everyone.
    await page.click('#logout');
    await signIn(page, admin.username, admin.password);
    await page.waitForSelector('#register-form');
    await page.fill('#destination', 'admin@acme.test');
    await page.click('#register');
    await page.waitForSelector('#code-form');
    await page.fill('#code', await smtp.codeFor('admin@acme.test'));
    await page.click('#verify');
    await page.waitForSelector('#settings-form');
    expect(await page.locator('#settings-enabled').isChecked()).toBe(true);

    // Users: their 2FA state, the shared-email warning, and a reset.
    const alice = await createUser(t, tenant, { username: 'alice' });
    const bob = await createUser(t, tenant, { username: 'bob' });
    const carol = await createUser(t, tenant, { username: 'carol' });
    await registerByEmail(t, smtp, tenant, alice, 'desk@acme.test');
    await registerByEmail(t, smtp, tenant, bob, 'desk@acme.test');
    await registerByEmail(t, smtp, tenant, carol, 'carol@acme.test');
    await page.click('#tab-users');
    await page.waitForSelector('#users tbody tr[data-user="alice"]');
    const rowOf = (name: string) => page.locator(`#users tbody tr[data-user="${name}"]`);
    expect(await rowOf('alice').locator('.two-factor').innerText()).toMatch(
      /^email: desk@acme\.test ⚠ shared email\s+since (just now|\d+ s ago)$/,
    );
    expect(await rowOf('bob').locator('.warning').count()).toBe(1);
    expect(await rowOf('carol').locator('.two-factor').innerText()).toMatch(
      /^email: carol@acme\.test\s+since/,
    );
    const carolView = (await api(`/users/${carol.id}`).expect(200)).body;
    expect(await rowOf('carol').locator('.recovery').innerText()).toBe(
      String(carolView.twoFactor.recoveryCodesRemaining),
    );
    // Human times: the exact ISO time in the title and datetime.
    const since = rowOf('carol').locator('.two-factor time');
    expect(await since.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    await browser.shot(page, 'console-users');

    await page.check('#user-shared');
    await page.click('#users-filter button[type=submit]');
    await page.locator('#users tbody tr[data-user="carol"]').waitFor({ state: 'detached' });
    expect(await page.locator('#users tbody tr').count()).toBe(2);

    await rowOf('alice').locator('button[data-reset]').click(); // the confirm dialog is accepted
    await statusShows(page, 'The second factor of alice was reset.');
    const user = (await api(`/users/${alice.id}`).expect(200)).body;
    expect(user.twoFactor.registered).toBe(false);
    // bob no longer shares his address with anyone: the list (shared only) has no one left.
    expect(await page.locator('#users tbody tr').count()).toBe(0);
    await browser.shot(page, 'console-user-reset');

    // Audit events: the reset, with who did it.
    await page.click('#tab-audit');
    await page.waitForSelector('#audit tbody tr');
    await page.selectOption('#audit-type', 'TWO_FACTOR_RESET');
    const reset = page.locator('#audit tbody tr[data-type="TWO_FACTOR_RESET"]');
    await page
      .locator('#audit tbody tr:not([data-type="TWO_FACTOR_RESET"])')
      .first()
      .waitFor({ state: 'detached' });
    expect(await page.locator('#audit tbody tr').count()).toBe(1);
    // The user by name (not id), the actor too, and `data` as "key: value" lines.
    expect(await reset.locator('td').nth(2).innerText()).toBe('alice');
    expect(await reset.locator('td').nth(3).innerText()).toBe(admin.username);
    expect(await reset.locator('td').nth(5).locator('dl.data dt').count()).toBeGreaterThan(0);
    expect(await reset.locator('td').nth(5).innerText()).not.toContain('{');

    // The user filter: only alice's events.
    await page.selectOption('#audit-type', '');
    await page.selectOption('#audit-user', { label: 'carol' });
    await page
      .locator('#audit tbody tr[data-type="TWO_FACTOR_RESET"]')
      .waitFor({ state: 'detached' });
    const carolsUsers = await page.locator('#audit tbody tr td:nth-child(3)').allInnerTexts();
    expect(carolsUsers.length).toBeGreaterThan(0);
    expect(new Set(carolsUsers)).toEqual(new Set(['carol']));

    // A settings change reads as "field: from → to".
    await page.selectOption('#audit-user', '');
    await page.selectOption('#audit-type', 'SETTINGS_CHANGED');
    const change = page.locator('#audit tbody tr[data-type="SETTINGS_CHANGED"] dl.data', {
      hasText: 'changes.enabled',
    });
    await change.first().waitFor();
    expect(await change.first().innerText()).toMatch(/changes\.enabled:?\s+false → true/);

    // The time range: from tomorrow on, nothing yet.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    await page.fill('#audit-from', tomorrow);
    await page.locator('#audit tbody tr').first().waitFor({ state: 'detached' });
    expect(await page.locator('#audit tbody tr').count()).toBe(0);
    await browser.shot(page, 'console-audit');
  });

  it('refuses a user who is not an admin, after their sign-in', async () => {
    const tenant = await createTenant(t);
    const agent = await createUser(t, tenant, { roles: ['agent'] });
    const page = await browser.newPage(t.url);
    await page.goto(`${t.url}/admin?tenant=${tenant.slug}`);
    await signIn(page, agent.username, agent.password);
    await page
      .locator('#alert', { hasText: `${agent.username} is not an admin of ${tenant.slug}.` })
      .waitFor();
    expect(await page.locator('#login-form').count()).toBe(1);
    await browser.shot(page, 'console-not-admin');
  });
});
