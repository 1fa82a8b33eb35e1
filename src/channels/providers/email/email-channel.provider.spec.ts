import { hostAllowed, isInternalHost, smtpFailureReason } from './email-channel.provider';

describe('email channel host rules', () => {
  it.each([
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    'localhost',
    'a.localhost',
    '10.1',
    '10.0.0.5',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.1.1',
    '::1',
    '[::1]',
    'fd00::1',
    '0.0.0.0',
  ])('treats %s as internal', (host) => expect(isInternalHost(host)).toBe(true));

  it.each(['smtp.acme.test', '8.8.8.8', '172.32.0.1', '2001:db8::1'])(
    'treats %s as external',
    (host) => expect(isInternalHost(host)).toBe(false),
  );

  it('matches CHANNEL_ALLOWED_HOSTS exactly or by *.suffix', () => {
    expect(hostAllowed('smtp.acme.test', ['*.acme.test'])).toBe(true);
    expect(hostAllowed('acme.test', ['*.acme.test'])).toBe(false);
    expect(hostAllowed('evilacme.test', ['*.acme.test'])).toBe(false);
    expect(hostAllowed('SMTP.ACME.TEST', ['smtp.acme.test'])).toBe(true);
  });

  it('names the exact SMTP failure for the audit log', () => {
    expect(smtpFailureReason({ code: 'ETIMEDOUT' })).toBe('smtp_timeout');
    expect(smtpFailureReason({ code: 'ESOCKET', errno: 'ECONNREFUSED' })).toBe('smtp_unreachable');
    expect(smtpFailureReason({ code: 'EENVELOPE', responseCode: 550 })).toBe('smtp_rejected');
    expect(smtpFailureReason({ code: 'EAUTH', responseCode: 0 })).toBe('smtp_auth_failed');
    expect(smtpFailureReason({})).toBe('smtp_error');
  });
});
