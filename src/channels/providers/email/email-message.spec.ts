import { describeBrowser, describeDuration, renderCodeEmail } from './email-message';

describe('the code email', () => {
  it('never promises more time than the code has', () => {
    expect(describeDuration(30)).toBe('30 seconds');
    expect(describeDuration(90)).toBe('90 seconds');
    expect(describeDuration(299.98)).toBe('5 minutes');
    expect(describeDuration(179)).toBe('2 minutes');
  });

  it('says what the code is for, when it expires, and the IP and browser (rule 9), escaped in HTML', () => {
    const mail = renderCodeEmail({
      to: 'a@acme.test',
      code: '123456',
      purpose: 'login',
      expiresInSeconds: 300,
      tenantName: 'Acme <Contact> Center',
      ip: '203.0.113.7',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36',
    });
    expect(mail.text).toContain('code is 123456');
    expect(mail.text).toContain('finish signing in');
    expect(mail.text).toContain('expires in 5 minutes');
    expect(mail.text).toContain('203.0.113.7');
    expect(mail.text).toContain('Chrome on Windows');
    expect(mail.html).toContain('Acme &lt;Contact&gt; Center');
    expect(mail.html).not.toContain('<Contact>');
  });

  it('names browsers it knows, and shortens what it does not', () => {
    expect(describeBrowser(null)).toBe('an unknown browser');
    expect(describeBrowser('curl/8.0')).toBe('curl/8.0');
    expect(describeBrowser('x'.repeat(200))).toHaveLength(80);
  });
});
