import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createTenant, createUser } from '../factories/tenants.factory';
import { enableEmailTwoFactor, mfaCall, passwordLogin } from '../factories/two-factor.factory';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

const LOCALES = ['en', 'de', 'fr', 'es', 'pt'] as const;
const KINDS = ['login_code', 'registration_code', 'recovery_code_used', 'channel_test'] as const;
const OUT = path.join(__dirname, '..', '..', 'test-results', 'mails');
const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The code of a built-in code mail in any language: the first line of its text ends with it. */
const codeOf = (text: string) => /(\d{6,10})$/.exec(text.split('\n')[0])?.[1];

/**
 * Every built-in mail (kind × locale), sent for real through the service and the SMTP server of
 * this test, kept as test-results/mails/<locale>-<kind>.eml (to open in a mail client), then read
 * back from the file and checked: headers, both parts, nothing left unrendered.
 */
describe('sample mails: every kind in every built-in locale', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...UNREACHABLE_THROTTLE_LIMITS } });

  const codes = new Map<string, string>();

  /** Sends the four mails of `locale` and writes them out; returns nothing, the files are checked. */
  async function sendAll(locale: string): Promise<void> {
    const tenant = await createTenant(t);
    await t
      .http()
      .patch(`/v1/tenants/${tenant.slug}`)
      .set('X-Api-Key', t.platformKey)
      .send({ defaultLocale: locale })
      .expect(200);
    const channelId = await enableEmailTwoFactor(t, tenant, smtp, {
      otp: { resendCooldownSeconds: 0, length: 8 },
    });
    const user = await createUser(t, tenant);
    const address = `${locale}-${tenant.slug}@acme.test`;
    const save = (kind: string, n: number) =>
      smtp.waitFor(address, n).then((mail) => {
        writeFileSync(path.join(OUT, `${locale}-${kind}.eml`), mail.raw);
        return mail;
      });

    // registration_code: the first factor's address confirmed.
    const first = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
    await mfaCall(t, first.body.mfaToken, 'register', { destination: address })
      .set('User-Agent', CHROME_ON_MAC)
      .expect(200);
    const registration = await save('registration_code', 1);
    codes.set(`${locale}-registration_code`, codeOf(registration.text)!);
    const verified = await mfaCall(t, first.body.mfaToken, 'verify', {
      code: codeOf(registration.text),
    }).expect(200);
    const recoveryCodes = verified.body.recoveryCodes as string[];

    // login_code: the next sign-in.
    const second = await passwordLogin(t, tenant.slug, user.username, user.password)
      .set('User-Agent', CHROME_ON_MAC)
      .expect(200);
    const login = await save('login_code', 2);
    codes.set(`${locale}-login_code`, codeOf(login.text)!);

    // recovery_code_used: that sign-in finished with a recovery code instead.
    await mfaCall(t, second.body.mfaToken, 'verify', { recoveryCode: recoveryCodes[0] })
      .set('User-Agent', CHROME_ON_MAC)
      .expect(200);
    await save('recovery_code_used', 3);

    // channel_test: the admin's test of the channel.
    await t
      .http()
      .post(`/v1/tenants/${tenant.slug}/channels/${channelId}/test`)
      .set('X-Api-Key', t.platformKey)
      .send({ to: address })
      .expect(200);
    await save('channel_test', 4);
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    for (const locale of LOCALES) await sendAll(locale);
  });

  const all = LOCALES.flatMap((locale) => KINDS.map((kind) => [locale, kind] as const));

  it.each(all)(
    '%s %s: parses, with headers, both parts, and nothing unrendered',
    async (locale, kind) => {
      const mail = await simpleParser(readFileSync(path.join(OUT, `${locale}-${kind}.eml`)));
      expect(mail.subject).toMatch(/^Tenant t-[0-9a-f]{10} ?: \S/);
      expect(mail.from?.value).toEqual([{ name: 'EFCX', address: 'no-reply@efcx.test' }]);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      const text = mail.text ?? '';
      const html = typeof mail.html === 'string' ? mail.html : '';
      expect(text.length).toBeGreaterThan(50);
      expect(html).toContain(`<html lang="${locale}">`);
      expect(html).toContain('max-width:600px');
      expect(html).not.toMatch(/<img|<link|<script|src=|url\(/i);
      for (const part of [mail.subject ?? '', text, html]) expect(part).not.toContain('{{');
      const code = codes.get(`${locale}-${kind}`);
      if (kind === 'login_code' || kind === 'registration_code') {
        expect(code).toMatch(/^\d{8}$/);
        expect(html).toContain(`>${code}</p>`);
        expect(text).toContain('127.0.0.1');
        expect(text).toMatch(/Chrome 131 \S+ macOS/);
        expect(text).toMatch(/ 5 /); // the minutes
      } else {
        // No code in a notice or a test: no run of 6+ digits at all.
        // (Random tenant slugs and usernames are hex and may hold digit runs.)
        expect(text.replace(/t-[0-9a-f]{10}|user-[0-9a-f]{8}/g, '')).not.toMatch(/\d{6,}/);
      }
      if (kind === 'recovery_code_used') expect(text).toContain(' 9 ');
      if (kind === 'channel_test') expect(text).not.toContain('127.0.0.1');
    },
  );

  it('the languages differ: no two locales share a subject for a kind', async () => {
    for (const kind of KINDS) {
      const subjects = await Promise.all(
        LOCALES.map(async (locale) => {
          const mail = await simpleParser(readFileSync(path.join(OUT, `${locale}-${kind}.eml`)));
          return (mail.subject ?? '').replace(/^Tenant t-[0-9a-f]{10}/, '');
        }),
      );
      expect(new Set(subjects).size).toBe(LOCALES.length);
    }
  });
});
