import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { SmtpSink } from '../support/smtp-sink';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

/** Where each step's screenshot goes (README: "Browser tests"). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-results/screenshots');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * One headless Chromium for a spec file, a fresh context (no cookies, no storage) per test.
 * Every request a page makes is recorded: a request that leaves the service's origin is aborted
 * and fails the test (the UI must load nothing from outside).
 */
export class BrowserSession {
  private browser?: Browser;
  private context?: BrowserContext;
  private step = 0;
  readonly requested: string[] = [];
  readonly outside: string[] = [];
  readonly pageErrors: string[] = [];

  constructor(private readonly name: string) {}

  async launch(): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // This spec's screenshots of an earlier run go (other specs may be writing theirs now).
    for (const f of readdirSync(SCREENSHOT_DIR))
      if (f.startsWith(`${this.name}-`)) rmSync(path.join(SCREENSHOT_DIR, f));
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }

  async newPage(origin: string, viewport = { width: 1100, height: 900 }): Promise<Page> {
    await this.context?.close();
    this.context = await this.browser!.newContext({ viewport });
    await this.context.route('**/*', (route) => {
      const url = route.request().url();
      this.requested.push(url);
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      this.outside.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await this.context.newPage();
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  /** A numbered full-page screenshot: test-results/screenshots/<spec>-<nn>-<label>.png. */
  async shot(page: Page, label: string): Promise<void> {
    this.step += 1;
    const file = `${this.name}-${String(this.step).padStart(2, '0')}-${label}.png`;
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), fullPage: true });
  }

  async close(): Promise<void> {
    await this.context?.close();
    await this.browser?.close();
  }
}

/**
 * For one describe block: an SMTP sink and a test app (throttles out of reach, `env` added) and a browser,
 * started before its tests and stopped after; each test must leave no request outside the
 * service and no page error. `bind` receives the app (assign it to the block's `t`).
 */
export function useBrowserWithApp(
  name: string,
  bind: (app: TestApp) => void,
  env: Record<string, string> = {},
): { browser: BrowserSession; smtp: SmtpSink } {
  const browser = new BrowserSession(name);
  const smtp = useAppWithSmtp(bind, { env: { ...UNREACHABLE_THROTTLE_LIMITS, ...env } });
  beforeAll(() => browser.launch());
  afterAll(() => browser.close());
  afterEach(() => {
    expect(browser.outside).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
  return { browser, smtp };
}
