import { checkTemplate, MAX_TEMPLATE_BYTES, renderTemplate } from './template-engine';

const CODE_TEXT = 'Code {{code}}, {{minutes}} min, from {{ip}} ({{browser}})';
const layout = (body: string) => `<main>${body}</main>`;

describe('the template engine', () => {
  it('accepts plain known variables, with spaces inside the braces', () => {
    expect(checkTemplate('login_code', { subject: 'Hi {{ username }}', text: CODE_TEXT })).toEqual(
      [],
    );
    expect(checkTemplate('channel_test', { subject: '{{tenantName}}', text: 'ok' })).toEqual([]);
  });

  it.each([
    ['a section', '{{#code}}x{{/code}}', /sections/],
    ['an inverted section', '{{^code}}x{{/code}}', /inverted/],
    ['a partial', '{{>footer}}', /partials/],
    ['a triple stash', '{{{code}}}', /unescaped/],
    ['an ampersand', '{{&code}}', /unescaped/],
    ['a comment', '{{! hidden }}', /comments/],
    ['a delimiter change', '{{=<% %>=}}<%code%>', /delimiter/],
    ['an unknown variable', '{{password}}', /unknown variable/],
    ['a dotted name', '{{code.length}}', /unknown variable/],
    ['the implicit iterator', '{{.}}', /unknown variable/],
    ['an unclosed tag', '{{code', /not a valid template/],
  ])('refuses %s, naming the field', (_, html, reason) => {
    const problems = checkTemplate('login_code', { subject: 's', text: CODE_TEXT, html });
    expect(problems).toEqual([{ field: 'html', message: expect.stringMatching(reason) }]);
  });

  it('refuses more than 32 kB in a part, counted in UTF-8 bytes', () => {
    const text = CODE_TEXT + 'é'.repeat(MAX_TEMPLATE_BYTES / 2);
    expect(checkTemplate('login_code', { subject: 's', text })).toEqual([
      { field: 'text', message: expect.stringMatching(/longer than 32768 bytes/) },
    ]);
  });

  it('a code kind names the code, its minutes, the IP and the browser (rule 9)', () => {
    expect(
      checkTemplate('login_code', { subject: '{{code}}', text: '{{minutes}} {{ip}}' }),
    ).toEqual([{ field: 'text', message: expect.stringContaining('{{browser}}') }]);
    expect(
      checkTemplate('registration_code', {
        subject: 's',
        text: CODE_TEXT,
        html: '<b>{{code}}</b>',
      }),
    ).toEqual([
      { field: 'html', message: expect.stringContaining('{{minutes}}, {{ip}}, {{browser}}') },
    ]);
    expect(checkTemplate('recovery_code_used', { subject: 's', text: 'no code' })).toEqual([]);
  });

  it('refuses a subject of more than one line', () => {
    expect(checkTemplate('channel_test', { subject: 'a\r\nBcc: x@evil.test', text: 't' })).toEqual([
      { field: 'subject', message: 'subject must be one line' },
    ]);
  });

  it('escapes values in html only, and keeps line breaks out of the subject', () => {
    const mail = renderTemplate(
      { subject: 'Hi {{username}}', text: 'Hi {{username}}', html: '<p>{{username}}</p>' },
      { username: '<script>x</script>\r\nBcc: a' },
      layout,
    );
    expect(mail.text).toBe('Hi <script>x</script>\r\nBcc: a');
    expect(mail.subject).toBe('Hi <script>x</script> Bcc: a');
    expect(mail.html).toBe('<p>&lt;script&gt;x&lt;&#x2F;script&gt;\r\nBcc: a</p>');
  });

  it('without html, sends the escaped text in the layout', () => {
    const mail = renderTemplate(
      { subject: 's', text: 'A <b>\n\nB {{code}}' },
      { code: '1<2' },
      layout,
    );
    expect(mail.html).toBe(
      '<main><p style="margin:0 0 16px">A &lt;b&gt;</p>\n<p style="margin:0 0 16px">B 1&lt;2</p></main>',
    );
  });
});
