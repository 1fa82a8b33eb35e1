import { builtInTemplate } from './built-in-templates';
import { MailRenderer } from './mail-renderer.service';
import { BUILT_IN_LOCALES, TEMPLATE_KINDS } from './template-kinds';

const FACTS = {
  tenantName: 'Acme',
  username: 'jane',
  code: '12345678',
  expiresInSeconds: 300,
  ip: '203.0.113.7',
  userAgent: null,
  remaining: 3,
};

describe('MailRenderer.renderIn', () => {
  // renderIn needs no database: only render() reads the tenant's templates.
  const renderer = new MailRenderer(null as never);

  it('renders every built-in kind and locale with no tag left and the code where one belongs', () => {
    for (const locale of BUILT_IN_LOCALES)
      for (const kind of TEMPLATE_KINDS) {
        const mail = renderer.renderIn(kind, locale, null, FACTS);
        for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toContain('{{');
        const hasCode = mail.text.includes('12345678') && mail.html.includes('12345678');
        expect(hasCode).toBe(kind === 'login_code' || kind === 'registration_code');
      }
  });

  it('never throws: a template that cannot be rendered is replaced by the built-in one', () => {
    const broken = { subject: '{{#code}}', text: '{{/x}}', html: null };
    expect(renderer.renderIn('login_code', 'de', broken, FACTS)).toEqual(
      renderer.renderIn('login_code', 'de', builtInTemplate('login_code', 'de'), FACTS),
    );
  });

  it('a locale without a built-in one falls back to the English built-in', () => {
    expect(renderer.renderIn('channel_test', 'nl', null, FACTS).subject).toBe(
      'Acme: test of the email channel',
    );
  });
});
