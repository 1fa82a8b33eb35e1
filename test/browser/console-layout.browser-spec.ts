import type { Page } from 'playwright-core';
import { createTenant, createUser, TestTenant } from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  putTwoFactorSettings,
  registerByEmail,
} from '../factories/two-factor.factory';
import type { TestApp } from '../support/test-app';
import { FAST_WEBHOOKS, WebhookReceiver } from '../support/webhook-receiver';
import { useBrowserWithApp } from './browser-session';
import { horizontalOverflow, seriousAxeViolations, WIDTHS } from './page-checks';

/** Each tab of the console and what shows that it finished loading. */
const TABS: Array<[string, string]> = [
  ['settings', '#settings-form'],
  ['channels', '#channel-form'],
  ['users', '#users tbody tr'],
  ['audit', '#audit tbody tr'],
  ['webhooks', '#webhook-form'],
  ['templates', '#templates tbody tr'],
];

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.waitForSelector('#login-form');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login');
}

/**
 * Issue 16 item 6: the admin console and the sign-in page at 390 px and 1280 px, with no
 * horizontal overflow and no serious or critical axe-core violation on any tab; the webhooks
 * panel's flow.
 */
describe('admin console on a phone and a desktop (headless Chromium)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  const { browser, smtp } = useBrowserWithApp('layout', (app) => (t = app), FAST_WEBHOOKS);
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    // A tenant with something in every panel: a channel, users with long names and 2FA, audit
    // events, and a webhook with a delivery.
    tenant = await createTenant(t);
    await enableEmailTwoFactor(t, tenant, smtp);
    const long = await createUser(t, tenant, {
      username: `a-rather-long-username-${'x'.repeat(40)}`,
    });
    await registerByEmail(
      t,
      smtp,
      tenant,
      long,
      `a.very.long.address.${'y'.repeat(40)}@subdomain.example.test`,
    );
    await t
      .http()
      .post(`/v1/tenants/${tenant.slug}/webhooks`)
      .set('X-Api-Key', t.platformKey)
      .send({ url: receiver.url(`/hooks/${'z'.repeat(60)}`), events: ['*'], enabled: true })
      .expect(201);
    await createUser(t, tenant, { username: 'after-the-webhook' });
    // The admin signs in with a password only: 2FA applies to users with a registration here.
    await putTwoFactorSettings(t, tenant, { enabled: false, channelId: null });
  });
  afterAll(() => receiver.stop());

  for (const width of WIDTHS) {
    it(`has no horizontal overflow and no serious axe violation at ${width} px`, async () => {
      const page = await browser.newPage(t.url, { width, height: 900 });
      const findings: Record<string, unknown> = {};
      const check = async (name: string) => {
        const overflow = await horizontalOverflow(page);
        const axe = await seriousAxeViolations(page);
        if (overflow > 0 || axe.length) findings[name] = { overflow, axe };
        await browser.shot(page, `${width}-${name}`);
      };

      await page.goto(`${t.url}/?tenant=${tenant.slug}`);
      await page.waitForSelector('#login-form');
      await check('sign-in');

      // The signed-in view: human times and a line on what each claim means.
      await signIn(page, tenant.admin.username, tenant.admin.password);
      await page.waitForSelector('#claims');
      const claimRow = (name: string) =>
        page.locator('#claims tr', {
          has: page.locator('th', { hasText: new RegExp(`^${name}$`) }),
        });
      expect(await claimRow('auth_time').locator('td time').getAttribute('datetime')).toMatch(
        /^\d{4}-\d\d-\d\dT/,
      );
      expect(await claimRow('exp').locator('td').innerText()).toMatch(/^in \d+ min$/);
      expect(await page.locator('#claims tr.claim-note').count()).toBeGreaterThanOrEqual(3);
      await check('signed-in');

      await page.goto(`${t.url}/admin?tenant=${tenant.slug}`);
      await signIn(page, tenant.admin.username, tenant.admin.password);
      for (const [tab, ready] of TABS) {
        await page.click(`#tab-${tab}`);
        await page.locator(ready).first().waitFor();
        await check(tab);
      }
      // 2FA is off for the tenant now: the long user's email registration is kept as another.
      await page.click('#tab-users');
      const others = page.locator('#users tbody tr[data-user^="a-rather-long"] .others');
      expect(await others.innerText()).toMatch(/^also: email \((just now|.+ ago)\)$/);
      await page.click('#tab-webhooks');
      await page.waitForSelector('#webhook-form');
      // The deliveries of the webhook, inside the webhooks tab.
      await page.locator('button[data-deliveries]').first().click();
      await page.locator('#webhook-deliveries tbody tr').first().waitFor();
      await check('webhook-deliveries');
      // A user's devices, inside the users tab.
      await page.click('#tab-users');
      await page
        .locator('#users tbody tr[data-user^="a-rather-long"] button[data-devices]')
        .click();
      await page.locator('#user-devices tbody tr').first().waitFor();
      await check('user-devices');
      // The template editor with the built-in German login mail previewed.
      await page.click('#tab-templates');
      await page.locator('#templates button[data-template="login_code/de"]').click();
      await page.waitForSelector('#template-form');
      await page.click('#template-preview-button');
      await page.waitForSelector('#template-preview');
      await check('template-editor');
      expect(findings).toEqual({});
    });
  }

  it('creates a webhook, shows its secret once, and lists its deliveries', async () => {
    const page = await browser.newPage(t.url, { width: 390, height: 900 });
    await page.goto(`${t.url}/admin?tenant=${tenant.slug}`);
    await signIn(page, tenant.admin.username, tenant.admin.password);
    await page.click('#tab-webhooks');
    await page.waitForSelector('#webhook-form');
    const url = receiver.url('/from-the-console');
    await page.fill('#webhook-url', url);
    await page.fill('#webhook-events', 'USER_CREATED');
    await page.click('#webhook-create');
    await page.locator('#admin-status', { hasText: `Webhook ${url} created.` }).waitFor();
    const secret = await page.locator('#webhook-secret').innerText();
    expect(secret).toMatch(/^whsec_/);
    await browser.shot(page, 'webhook-created');

    // The secret is nowhere once the panel is shown again, nor in the API's list.
    await page.click('#tab-settings');
    await page.waitForSelector('#settings-form');
    await page.click('#tab-webhooks');
    await page.waitForSelector('#webhook-form');
    expect(await page.locator('#webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // An event it subscribes to is delivered, and the deliveries list says so.
    await createUser(t, tenant, { username: 'delivered-to-the-console' });
    const row = page.locator('#webhooks tbody tr', { hasText: url });
    const delivered = page.locator('#webhook-deliveries tbody tr[data-status="delivered"]');
    await row.locator('button[data-deliveries]').click();
    await page.waitForSelector('#deliveries-title');
    for (let i = 0; i < 50 && !(await delivered.count()); i++) {
      await page.waitForTimeout(200);
      await page.click('#deliveries-refresh');
      await page.waitForSelector('#deliveries-title');
    }
    expect(await delivered.count()).toBe(1);
    expect(await delivered.innerText()).toContain('USER_CREATED');
    await browser.shot(page, 'webhook-deliveries');

    // Disable it from the console.
    await row.locator('button[data-toggle]').click();
    await page.locator('#admin-status', { hasText: `${url} is disabled.` }).waitFor();
    const list = (
      await t
        .http()
        .get(`/v1/tenants/${tenant.slug}/webhooks`)
        .set('X-Api-Key', t.platformKey)
        .expect(200)
    ).body as { items: Array<{ url: string; enabled: boolean }> };
    expect(list.items.find((w) => w.url === url)?.enabled).toBe(false);
  });
});
