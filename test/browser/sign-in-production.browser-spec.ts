import { createTestDatabase, dropTestDatabase } from '../support/database';
import { productionEnvironment, startTestApp, TestApp } from '../support/test-app';
import { BrowserSession } from './browser-session';
import { horizontalOverflow, seriousAxeViolations, WIDTHS } from './page-checks';

/**
 * Issue 16 item 6: in production the sign-in page does not ask for the development inbox (the
 * route does not exist there: the request was a console error on every visit).
 */
describe('the sign-in page in production (headless Chromium)', () => {
  let t: TestApp;
  let databaseUrl: string;
  const browser = new BrowserSession('production');

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    t = await startTestApp({
      databaseUrl,
      env: productionEnvironment(databaseUrl, { UI_ENABLED: 'true' }),
    });
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await t?.close();
    await dropTestDatabase(databaseUrl);
  });

  for (const width of WIDTHS)
    it(`makes no request to /dev/inbox.json, at ${width} px without overflow or serious axe violation`, async () => {
      const page = await browser.newPage(t.url, { width, height: 900 });
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${t.url}/`);
      await page.waitForSelector('#login-form');
      await page.waitForLoadState('networkidle');

      expect(browser.requested).toContain(`${t.url}/ui/signin-page.js`);
      expect(browser.requested.filter((u) => u.includes('/dev/inbox'))).toEqual([]);
      expect(failed).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await browser.shot(page, `sign-in-${width}`);
    });
});
