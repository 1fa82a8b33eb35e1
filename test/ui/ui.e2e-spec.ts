import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../support/ports';
import { expectErrorResponse } from '../support/http-assertions';
import { startTestApp, useTestApp, TestApp } from '../support/test-app';

/** The reference web UI as files over HTTP (the pages themselves run in test/browser/). */
describe('web UI: static files', () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  /** A path the UI serves nothing at: 404 (400 when malformed), the status in the body. */
  async function expectNothingAt(path: string) {
    const res = await t.http().get(path);
    expect(res.status === 404 || res.status === 400).toBe(true);
    expect(res.body).toMatchObject({ statusCode: res.status });
    return res;
  }

  it.each([
    ['/', 'signin-page.js'],
    ['/admin', 'admin-page.js'],
    ['/account', 'account-page.js'],
  ])(
    '%s is a page that loads only files of this service, under a strict CSP',
    async (path, script) => {
      const res = await t.http().get(path).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-frame-options']).toBe('DENY');
      const html = res.text;
      expect(html).toContain(`<script type="module" src="/ui/${script}"></script>`);
      // Every reference is a path on this origin: no CDN, no protocol-relative URL.
      const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(3);
      for (const ref of refs) expect(ref).toMatch(/^\/(?!\/)/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      expect(html).not.toMatch(/\sstyle=/); // no inline style
    },
  );

  it('serves the stylesheet and icon with their types; any other name is a 404 in the error shape', async () => {
    const css = await t.http().get('/ui/style.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain(':focus-visible');
    const icon = await t.http().get('/ui/favicon.svg').expect(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    for (const path of [
      '/ui/nope.js',
      '/ui/..%2Fpackage.json',
      '/ui/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/index.html%00',
      '/ui/.env',
    ])
      expect((await expectNothingAt(path)).text).not.toContain('"name": "efcx-2fa"');
    expectErrorResponse(await t.http().get('/ui/unknown.css'), 404, 'NOT_FOUND');
  });

  it("serves the admin console's panels from /ui/admin/ (built files only, no other folder)", async () => {
    for (const path of [
      '/ui/admin/nope.js',
      '/ui/admin/..%2Fapi.js',
      '/ui/admin/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/generated/api-types.js',
    ])
      await expectNothingAt(path);
    // Built (npm run build:ui): each panel is a script of its own.
    if (existsSync(path.join(__dirname, '..', '..', 'dist', 'ui', 'admin', 'webhooks.js'))) {
      const res = await t.http().get('/ui/admin/webhooks.js').expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    }
  });

  it('marks the development inbox off: the sign-in page then never asks /dev/inbox.json', async () => {
    const html = (await t.http().get('/').expect(200)).text;
    expect(html).toContain('<p id="dev-inbox"></p>');
  });

  it('API answers keep their own strict policy', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});

describe('web UI: UI_ENABLED=false', () => {
  let t: TestApp;
  useTestApp((app) => (t = app), { env: { UI_ENABLED: 'false' } });

  it('serves no page and no file', async () => {
    for (const path of ['/', '/admin', '/account', '/ui/style.css', '/ui/signin-page.js'])
      expectErrorResponse(await t.http().get(path), 404, 'NOT_FOUND');
    await t.http().get('/health/live').expect(200);
  });
});

describe('web UI: the development inbox on (DEV_MAIL_PORT)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { DEV_MAIL_PORT: String(await freePort()) } });
  });
  afterAll(() => t.close());

  it('marks the sign-in page so that it shows the inbox link', async () => {
    const html = (await t.http().get('/').expect(200)).text;
    expect(html).toContain('<p id="dev-inbox" data-on=""></p>');
  });
});
