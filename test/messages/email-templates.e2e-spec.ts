import {
  createTenant,
  createUser,
  adminToken,
  TestTenant,
  adminUserView,
} from '../factories/tenants.factory';
import {
  enableEmailTwoFactor,
  passwordLogin,
  registerByEmail,
} from '../factories/two-factor.factory';
import { auditEvents } from '../support/audit-events';
import { expectExactErrorResponse, expectValidationError } from '../support/http-assertions';
import { TestApp, UNREACHABLE_THROTTLE_LIMITS, useAppWithSmtp } from '../support/test-app';

const CHROME_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const KINDS = ['login_code', 'registration_code', 'recovery_code_used', 'channel_test'];
const CODE_TEXT = 'Code {{code}} for {{tenantName}}: {{minutes}} min, {{ip}}, {{browser}}.';

/** The code of a mail in any language: the first line of every built-in text ends with it. */
const codeOf = (text: string) => /(\d{6,10})$/.exec(text.split('\n')[0])?.[1];

describe('tenant email templates and locales (API.md v1.1 §11)', () => {
  let t: TestApp;
  const smtp = useAppWithSmtp((app) => (t = app), { env: { ...UNREACHABLE_THROTTLE_LIMITS } });

  const api = (tenant: TestTenant, path = '') =>
    `/v1/tenants/${tenant.slug}/email-templates${path}`;
  const put = (tenant: TestTenant, kind: string, locale: string, body: object) =>
    t
      .http()
      .put(api(tenant, `/${kind}/${locale}`))
      .set('X-Api-Key', t.platformKey)
      .send(body);
  const preview = (tenant: TestTenant, kind: string, locale: string, body: object = {}) =>
    t
      .http()
      .post(api(tenant, `/${kind}/${locale}/preview`))
      .set('X-Api-Key', t.platformKey)
      .send(body);
  const setUserLocale = (tenant: TestTenant, userId: string, locale: string | null) =>
    t
      .http()
      .patch(`/v1/tenants/${tenant.slug}/users/${userId}`)
      .set('X-Api-Key', t.platformKey)
      .send({ locale });
  const setTenantLocale = (tenant: TestTenant, defaultLocale: string) =>
    t
      .http()
      .patch(`/v1/tenants/${tenant.slug}`)
      .set('X-Api-Key', t.platformKey)
      .send({ defaultLocale });

  /** A tenant with email 2FA, a registered user of `locale`, and that user's next login mail. */
  async function loginMail(options: {
    userLocale?: string | null;
    tenantLocale?: string;
    username?: string;
    before?: (tenant: TestTenant) => Promise<unknown>;
  }) {
    const tenant = await createTenant(t);
    await enableEmailTwoFactor(t, tenant, smtp, { otp: { resendCooldownSeconds: 0 } });
    const user = await createUser(
      t,
      tenant,
      options.username ? { username: options.username } : {},
    );
    const address = `${tenant.slug}@acme.test`;
    await registerByEmail(t, smtp, tenant, user, address);
    if (options.userLocale !== undefined)
      await setUserLocale(tenant, user.id, options.userLocale).expect(200);
    if (options.tenantLocale) await setTenantLocale(tenant, options.tenantLocale).expect(200);
    await options.before?.(tenant);
    const n = smtp.to(address).length;
    await passwordLogin(t, tenant.slug, user.username, user.password)
      .set('User-Agent', CHROME_ON_WINDOWS)
      .expect(200);
    return { tenant, user, address, mail: await smtp.waitFor(address, n + 1) };
  }

  describe('the locale of a mail', () => {
    it('a German user gets the German login mail, the browser summarised in German', async () => {
      const { mail } = await loginMail({ userLocale: 'de' });
      expect(mail.subject).toMatch(/: Ihr Anmeldecode$/);
      expect(mail.text).toMatch(/^Ihr Code für .+ lautet \d{6}$/m);
      expect(mail.text).toContain('Er läuft in 5 Minuten ab');
      expect(mail.text).toContain('IP-Adresse 127.0.0.1 mit Chrome 131 unter Windows.');
      expect(mail.html).toContain('<html lang="de">');
      expect(mail.html).toContain(codeOf(mail.text));
    });

    it('a pt-BR user (sent as pt-br) gets the Portuguese mail; the user shows pt-BR', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      const res = await setUserLocale(tenant, user.id, 'pt-br').expect(200);
      expect(res.body.locale).toBe('pt-BR');
      const got = await adminUserView(t, tenant, user.id);
      expect(got.locale).toBe('pt-BR');

      const { mail } = await loginMail({ userLocale: 'pt-BR' });
      expect(mail.subject).toMatch(/: o seu código de início de sessão$/);
      expect(mail.text).toContain('Expira em 5 minutos');
    });

    it("a user without a locale gets the tenant's defaultLocale", async () => {
      const { mail } = await loginMail({ userLocale: null, tenantLocale: 'es' });
      expect(mail.subject).toMatch(/: su código de inicio de sesión$/);
      expect(mail.text).toContain('Caduca en 5 minutos');
      expect(mail.text).toContain('con Chrome 131 en Windows.');
    });

    it("a user's locale with no template at all falls back to the tenant's default, then en", async () => {
      const nl = await loginMail({ userLocale: 'nl', tenantLocale: 'fr' });
      expect(nl.mail.subject).toMatch(/ : votre code de connexion$/);
      const ja = await loginMail({ userLocale: 'nl', tenantLocale: 'ja' });
      expect(ja.mail.subject).toMatch(/: your sign-in code$/);
    });

    it('a tenant defaultLocale or user locale that is no BCP 47 tag is refused', async () => {
      const tenant = await createTenant(t);
      const user = await createUser(t, tenant);
      for (const bad of ['en_US', 'de DE', 'x', '../../etc', 'e'.repeat(40), 42]) {
        expectValidationError(await setUserLocale(tenant, user.id, bad as string), 'locale');
        expectValidationError(await setTenantLocale(tenant, bad as string), 'defaultLocale');
      }
      const res = await setTenantLocale(tenant, 'PT-br').expect(200);
      expect(res.body.defaultLocale).toBe('pt-BR');
      const created = await t
        .http()
        .post('/v1/tenants')
        .set('X-Api-Key', t.platformKey)
        .send({
          slug: `${tenant.slug}-b`,
          name: 'B',
          defaultLocale: 'fr-ca',
          admin: { username: 'admin', password: 'a-long-enough-password-1' },
        })
        .expect(201);
      expect(created.body.defaultLocale).toBe('fr-CA');
      const withLocale = await t
        .http()
        .post(`/v1/tenants/${tenant.slug}/users`)
        .set('X-Api-Key', t.platformKey)
        .send({
          username: 'lena',
          password: 'a-long-enough-password-1',
          roles: [],
          locale: 'de-at',
        })
        .expect(201);
      expect(withLocale.body.locale).toBe('de-AT');
    });
  });

  describe('custom templates', () => {
    it('win over the built-in one; values are HTML-escaped in html and not in text', async () => {
      const username = '<script>x</script>';
      const { mail } = await loginMail({
        username,
        before: (tenant) =>
          put(tenant, 'login_code', 'en', {
            subject: 'Sign-in for {{username}}',
            text: `Hello {{username}}. ${CODE_TEXT}`,
            html: `<p>Hello {{username}}</p><p>${CODE_TEXT}</p>`,
          }).expect(200),
      });
      expect(mail.subject).toBe(`Sign-in for ${username}`);
      expect(mail.text).toContain(`Hello ${username}. Code `);
      expect(mail.text).toMatch(
        /Code \d{6} for Tenant .+: 5 min, 127\.0\.0\.1, Chrome 131 on Windows\./,
      );
      expect(mail.html).toContain('<p>Hello &lt;script&gt;x&lt;&#x2F;script&gt;</p>');
      expect(mail.html).not.toContain('<script>');
    });

    it("a custom pt-BR template is chosen for a pt-BR user over the built-in pt; other tenants' mails are untouched", async () => {
      let other: TestTenant | undefined;
      const { mail } = await loginMail({
        userLocale: 'pt-BR',
        before: async (tenant) => {
          other = await createTenant(t);
          await put(tenant, 'login_code', 'pt-BR', {
            subject: 'Seu código',
            text: `Oi! ${CODE_TEXT}`,
          }).expect(200);
        },
      });
      expect(mail.subject).toBe('Seu código');
      expect(mail.text).toMatch(/^Oi! Code \d{6}/);
      // Without html the text goes into the standard layout, escaped.
      expect(mail.html).toContain('<html lang="pt-BR">');
      expect(mail.html).toContain('max-width:600px');
      const list = await t.http().get(api(other!)).set('X-Api-Key', t.platformKey).expect(200);
      expect(list.body.items.filter((i: { custom: boolean }) => i.custom)).toEqual([]);
    });

    it('DELETE goes back to the built-in one (204), and a second DELETE is 404', async () => {
      const tenant = await createTenant(t);
      await put(tenant, 'channel_test', 'de', { subject: 'Test', text: 'Nur ein Test.' }).expect(
        200,
      );
      const path = api(tenant, '/channel_test/de');
      await t.http().delete(path).set('X-Api-Key', t.platformKey).expect(204);
      expectExactErrorResponse(
        await t.http().delete(path).set('X-Api-Key', t.platformKey),
        404,
        'NOT_FOUND',
      );
      const now = await t.http().get(path).set('X-Api-Key', t.platformKey).expect(200);
      expect(now.body).toEqual(
        expect.objectContaining({
          custom: false,
          updatedAt: null,
          subject: expect.stringContaining('Test des E-Mail-Kanals'),
        }),
      );
      // And the mail follows at once.
      const { mail } = await loginMail({
        before: async (tn) => {
          await put(tn, 'login_code', 'en', { subject: 'Custom', text: CODE_TEXT }).expect(200);
          await t
            .http()
            .delete(api(tn, '/login_code/en'))
            .set('X-Api-Key', t.platformKey)
            .expect(204);
        },
      });
      expect(mail.subject).toMatch(/: your sign-in code$/);
    });

    it('PUT answers the template; GET lists every kind × built-in locale and custom-only locales', async () => {
      const tenant = await createTenant(t);
      const saved = await put(tenant, 'recovery_code_used', 'NL', {
        subject: '{{tenantName}}: herstelcode gebruikt',
        text: 'Nog {{remaining}} codes over.',
      }).expect(200);
      expect(saved.body).toEqual({
        kind: 'recovery_code_used',
        locale: 'nl',
        custom: true,
        updatedAt: expect.any(String),
        subject: '{{tenantName}}: herstelcode gebruikt',
        text: 'Nog {{remaining}} codes over.',
        html: null,
      });
      const { body } = await t.http().get(api(tenant)).set('X-Api-Key', t.platformKey).expect(200);
      const keys = body.items.map((i: { kind: string; locale: string }) => `${i.kind}/${i.locale}`);
      for (const kind of KINDS)
        for (const locale of ['en', 'de', 'fr', 'es', 'pt'])
          expect(keys).toContain(`${kind}/${locale}`);
      expect(keys).toContain('recovery_code_used/nl');
      expect(keys).not.toContain('login_code/nl');
      expect(body.items).toHaveLength(KINDS.length * 5 + 1);
      expect(body.items.find((i: { locale: string }) => i.locale === 'nl')).toEqual({
        kind: 'recovery_code_used',
        locale: 'nl',
        custom: true,
        updatedAt: saved.body.updatedAt,
      });
      expect(
        body.items.find(
          (i: { kind: string; locale: string }) => i.kind === 'login_code' && i.locale === 'de',
        ),
      ).toEqual({ kind: 'login_code', locale: 'de', custom: false, updatedAt: null });
    });

    it('PUT and DELETE write TEMPLATE_CHANGED with kind and locale, never the template', async () => {
      const tenant = await createTenant(t);
      await put(tenant, 'channel_test', 'fr', {
        subject: 'Secret-ish subject',
        text: 'Body text',
      }).expect(200);
      await t
        .http()
        .delete(api(tenant, '/channel_test/fr'))
        .set('X-Api-Key', t.platformKey)
        .expect(204);
      const events = await auditEvents(t, tenant.slug, { type: 'TEMPLATE_CHANGED' });
      expect(events.map((e) => e.data)).toEqual([
        { kind: 'channel_test', locale: 'fr', action: 'deleted' },
        { kind: 'channel_test', locale: 'fr', action: 'saved' },
      ]);
      expect(events[0].actor).toEqual({ type: 'platform', id: null });
      expect(JSON.stringify(events)).not.toMatch(/Secret-ish|Body text/);
    });
    it('a tenant keeps at most 60 templates of its own (409); changing one of them still works', async () => {
      const tenant = await createTenant(t);
      const body = { subject: '{{tenantName}}', text: 'Mail' };
      const locales = Array.from({ length: 15 }, (_, i) => `qa${String.fromCharCode(97 + i)}`);
      const all = ['recovery_code_used', 'channel_test'].flatMap((kind) =>
        locales.map((locale) => [kind, locale] as const),
      );
      const codeBody = { subject: 's', text: CODE_TEXT };
      for (const [kind, locale] of all) await put(tenant, kind, locale, body).expect(200);
      for (const locale of locales) {
        await put(tenant, 'login_code', locale, codeBody).expect(200);
        await put(tenant, 'registration_code', locale, codeBody).expect(200);
      }
      expectExactErrorResponse(await put(tenant, 'channel_test', 'de', body), 409, 'CONFLICT');
      await put(tenant, 'channel_test', 'qaa', { ...body, text: 'Changed' }).expect(200);
      const list = await t.http().get(api(tenant)).set('X-Api-Key', t.platformKey).expect(200);
      expect(list.body.items.filter((i: { custom: boolean }) => i.custom)).toHaveLength(60);
    });
  });

  describe('refusals (400 VALIDATION_FAILED with details)', () => {
    const cases: Array<[string, string, object, string]> = [
      [
        'a code kind without {{code}}',
        'login_code',
        { subject: 's', text: '{{minutes}} {{ip}} {{browser}}' },
        'text',
      ],
      [
        'a code kind without {{browser}}',
        'registration_code',
        { subject: '{{code}}', text: '{{minutes}} {{ip}}' },
        'text',
      ],
      [
        'a code kind whose html lacks {{ip}}',
        'login_code',
        { subject: 's', text: CODE_TEXT, html: '{{code}} {{minutes}} {{browser}}' },
        'html',
      ],
      ['an unknown variable', 'channel_test', { subject: 's', text: 'hi {{password}}' }, 'text'],
      ['a section', 'channel_test', { subject: 's', text: '{{#username}}x{{/username}}' }, 'text'],
      [
        'an inverted section',
        'channel_test',
        { subject: 's', text: '{{^username}}x{{/username}}' },
        'text',
      ],
      ['a partial', 'channel_test', { subject: 's', text: 't', html: '{{>layout}}' }, 'html'],
      [
        'a triple stash',
        'channel_test',
        { subject: 's', text: 't', html: '{{{username}}}' },
        'html',
      ],
      [
        'an unescaped ampersand tag',
        'channel_test',
        { subject: 's', text: 't', html: '{{&username}}' },
        'html',
      ],
      [
        'a delimiter change',
        'channel_test',
        { subject: '{{=<% %>=}}<%username%>', text: 't' },
        'subject',
      ],
      ['a comment', 'channel_test', { subject: 's', text: '{{! if admin }}' }, 'text'],
      ['an unclosed tag', 'channel_test', { subject: 's', text: 'hi {{username' }, 'text'],
      [
        'more than 32 kB',
        'channel_test',
        { subject: 's', text: 'x'.repeat(32 * 1024 + 1) },
        'text',
      ],
      [
        'a subject with a line break',
        'channel_test',
        { subject: 'a\r\nBcc: x@evil.test', text: 't' },
        'subject',
      ],
      ['a missing text', 'channel_test', { subject: 's' }, 'text'],
      ['an extra field', 'channel_test', { subject: 's', text: 't', from: 'x@evil.test' }, 'from'],
    ];
    it.each(cases)('refuses %s', async (_, kind, body, field) => {
      const tenant = await createTenant(t);
      expectValidationError(await put(tenant, kind, 'en', body), field);
      const list = await t.http().get(api(tenant)).set('X-Api-Key', t.platformKey).expect(200);
      expect(list.body.items.some((i: { custom: boolean }) => i.custom)).toBe(false);
    });

    it('refuses a locale that is no BCP 47 tag (400) and an unknown kind (404)', async () => {
      const tenant = await createTenant(t);
      const body = { subject: 's', text: 't' };
      for (const bad of ['en_US', 'x', 'de-', 'e'.repeat(40)])
        expectValidationError(await put(tenant, 'channel_test', bad, body), 'locale');
      expectExactErrorResponse(await put(tenant, 'password_reset', 'en', body), 404, 'NOT_FOUND');
      // A well-formed locale with neither a built-in nor an own template: nothing to show.
      expectExactErrorResponse(await preview(tenant, 'login_code', 'nl'), 404, 'NOT_FOUND');
      expectExactErrorResponse(await preview(tenant, 'nope', 'en'), 404, 'NOT_FOUND');
    });
  });

  describe('preview', () => {
    it('renders the template in force with sample values and the tenant name', async () => {
      const tenant = await createTenant(t);
      const res = await preview(tenant, 'login_code', 'de').expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['html', 'subject', 'text']);
      expect(res.body.subject).toBe(`${tenant.name}: Ihr Anmeldecode`);
      expect(res.body.text).toContain(`Ihr Code für ${tenant.name} lautet 123456`);
      expect(res.body.text).toContain('203.0.113.7 mit Chrome 131 unter Windows');
      expect(res.body.html).toContain('123456');
      expect(`${res.body.subject}${res.body.text}${res.body.html}`).not.toContain('{{');

      await put(tenant, 'recovery_code_used', 'en', {
        subject: 'For {{displayName}}',
        text: '{{remaining}} left',
      }).expect(200);
      const own = await preview(tenant, 'recovery_code_used', 'en').expect(200);
      expect(own.body).toEqual(
        expect.objectContaining({ subject: 'For Jane Doe', text: '9 left' }),
      );
    });

    it('renders an unsaved template of the body, checked like a PUT, without saving it', async () => {
      const tenant = await createTenant(t);
      const res = await preview(tenant, 'channel_test', 'es', {
        subject: 'Hola {{username}}',
        text: 'Prueba',
        html: '<b>{{username}}</b>',
      }).expect(200);
      expect(res.body).toEqual({
        subject: 'Hola jane.doe',
        text: 'Prueba',
        html: '<b>jane.doe</b>',
      });
      expectValidationError(
        await preview(tenant, 'channel_test', 'es', { subject: 's', text: '{{#x}}{{/x}}' }),
        'text',
      );
      const list = await t.http().get(api(tenant)).set('X-Api-Key', t.platformKey).expect(200);
      expect(list.body.items.some((i: { custom: boolean }) => i.custom)).toBe(false);
    });
  });

  describe('access', () => {
    it("a tenant admin manages their own tenant's templates, not another tenant's; a user cannot", async () => {
      const mine = await createTenant(t);
      const theirs = await createTenant(t);
      const token = await adminToken(t, mine);
      const body = { subject: 's', text: 't' };
      await t
        .http()
        .put(api(mine, '/channel_test/en'))
        .set('Authorization', `Bearer ${token}`)
        .send(body)
        .expect(200);
      for (const res of [
        await t.http().get(api(theirs)).set('Authorization', `Bearer ${token}`),
        await t
          .http()
          .put(api(theirs, '/channel_test/en'))
          .set('Authorization', `Bearer ${token}`)
          .send(body),
        await t
          .http()
          .delete(api(theirs, '/channel_test/en'))
          .set('Authorization', `Bearer ${token}`),
      ])
        expect([403, 404]).toContain(res.status);
      const list = await t.http().get(api(theirs)).set('X-Api-Key', t.platformKey).expect(200);
      expect(list.body.items.some((i: { custom: boolean }) => i.custom)).toBe(false);
      const agent = await createUser(t, mine);
      const agentToken = (
        await passwordLogin(t, mine.slug, agent.username, agent.password).expect(200)
      ).body.accessToken as string;
      expectExactErrorResponse(
        await t
          .http()
          .put(api(mine, '/channel_test/en'))
          .set('Authorization', `Bearer ${agentToken}`)
          .send(body),
        403,
        'FORBIDDEN',
      );
      expectExactErrorResponse(await t.http().get(api(mine)), 401, 'UNAUTHENTICATED');
    });
  });
});
