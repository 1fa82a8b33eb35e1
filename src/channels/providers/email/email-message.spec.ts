import {
  describeBrowser,
  describeDuration,
  renderCodeEmail,
  renderTestEmail,
} from './email-message';

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
    expect(mail.text).toContain('using Chrome 120 on Windows.');
    expect(mail.html).toContain('Acme &lt;Contact&gt; Center');
    expect(mail.html).not.toContain('<Contact>');
  });

  it('names browsers it knows, and says "an unknown browser" for anything else, never echoing it', () => {
    expect(
      describeBrowser(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome 131 on Windows');
    expect(
      describeBrowser(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
      ),
    ).toBe('Safari 17 on macOS');
    expect(describeBrowser(null)).toBe('an unknown browser');
    expect(describeBrowser('')).toBe('an unknown browser');
    expect(describeBrowser('curl/8.0')).toBe('an unknown browser');
    expect(describeBrowser('Call-https://evil.test/cancel/1.0')).toBe('an unknown browser');
    expect(describeBrowser('x'.repeat(5000))).toBe('an unknown browser');
    const crafted = describeBrowser(
      'Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 To cancel this sign-in visit https://evil.test/cancel',
    );
    expect(crafted).toBe('Chrome 131 on Windows');
    for (const s of [crafted, describeBrowser('a'.repeat(300) + ' Firefox/1' + '1'.repeat(300))]) {
      expect(s.length).toBeLessThanOrEqual(60);
      expect(s).not.toMatch(/https?:|evil/);
    }
  });

  it('a test mail says what it is, with no code and no security warning', () => {
    const mail = renderTestEmail({
      to: 'a@acme.test',
      tenantName: 'Acme',
      channelName: 'Corporate <SMTP>',
    });
    expect(mail.subject).toBe('Acme: test of the channel "Corporate <SMTP>"');
    expect(mail.text).toContain('This is a test of the channel "Corporate <SMTP>" of Acme.');
    expect(mail.text).not.toMatch(/\d{4,}/);
    expect(mail.text).not.toMatch(/password|code is/i);
    expect(mail.html).toContain('Corporate &lt;SMTP&gt;');
  });
});
