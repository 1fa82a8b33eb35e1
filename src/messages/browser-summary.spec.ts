import { describeBrowser, minutesLeft } from './browser-summary';

describe('the browser summary and the minutes of a code mail', () => {
  it('never promises more time than the code has, and says at least 1 minute', () => {
    expect(minutesLeft(299.98)).toBe(5);
    expect(minutesLeft(299.4)).toBe(4);
    expect(minutesLeft(300)).toBe(5);
    expect(minutesLeft(179)).toBe(2);
    expect(minutesLeft(30)).toBe(1);
    expect(minutesLeft(-5)).toBe(1);
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

  it('speaks the language it is given', () => {
    const ua =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36';
    expect(describeBrowser(ua, { unknown: 'ein unbekannter Browser', on: 'unter' })).toBe(
      'Chrome 131 unter Windows',
    );
    expect(describeBrowser(null, { unknown: 'ein unbekannter Browser', on: 'unter' })).toBe(
      'ein unbekannter Browser',
    );
  });
});
