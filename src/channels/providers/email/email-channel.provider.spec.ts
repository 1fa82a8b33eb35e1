import { CodeMessage, DeliveryError, ResolvedChannel } from '../channel-provider';
import {
  EmailChannelProvider,
  hostAllowed,
  isInternalHost,
  smtpFailureReason,
} from './email-channel.provider';

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

describe('email delivery target in production (SSRF after DNS resolution)', () => {
  const channel = (host: string): ResolvedChannel => ({
    id: 'c1',
    tenantId: 't1',
    type: 'email',
    name: 'SMTP',
    enabled: true,
    config: { host, port: 587, secure: false, from: 'otp@acme.test' },
    secrets: {},
    version: 'v1',
  });
  const message: CodeMessage = {
    to: 'a@acme.test',
    code: '123456',
    purpose: 'login',
    expiresInSeconds: 300,
    tenantName: 'Acme',
    ip: '203.0.113.9',
    userAgent: null,
  };

  function provider(production: boolean, allowed: string[], resolved: string[]) {
    const transports: Array<{ name: string; options: Record<string, unknown> }> = [];
    const sent: string[] = [];
    const mailer = {
      addTransporter: (name: string, options: Record<string, unknown>) =>
        transports.push({ name, options }),
      removeTransporter: () => undefined,
      sendMail: async (m: { transporterName: string }) => {
        sent.push(m.transporterName);
      },
    };
    const p = new EmailChannelProvider(
      mailer as never,
      { smtpTimeoutMs: 1000, channelAllowedHosts: allowed } as never,
      { production } as never,
    );
    const lookups: string[] = [];
    p.resolveHost = async (host) => {
      lookups.push(host);
      return resolved.map((address) => ({ address }));
    };
    return { p, transports, sent, lookups };
  }

  const reasonOf = async (promise: Promise<unknown>) =>
    promise.then(
      () => 'delivered',
      (e: unknown) => (e instanceof DeliveryError ? e.reason : `unexpected ${String(e)}`),
    );

  it('refuses a public name that resolves to a private or loopback address, before connecting', async () => {
    for (const inside of [
      ['10.0.0.5'],
      ['127.0.0.1'],
      ['93.184.216.34', '192.168.1.10'],
      ['::1'],
    ]) {
      const { p, transports, sent } = provider(true, [], inside);
      expect(await reasonOf(p.deliver(channel('smtp.evil.test'), message))).toBe(
        'smtp_host_refused',
      );
      expect(transports).toEqual([]);
      expect(sent).toEqual([]);
    }
  });

  it('connects to the vetted address, keeping the name for TLS', async () => {
    const { p, transports, sent } = provider(true, [], ['93.184.216.34']);
    expect(await reasonOf(p.deliver(channel('smtp.acme.test'), message))).toBe('delivered');
    expect(transports).toHaveLength(1);
    expect(transports[0].options).toMatchObject({
      host: '93.184.216.34',
      tls: { servername: 'smtp.acme.test' },
    });
    expect(sent).toEqual([transports[0].name]);
  });

  it('trusts what CHANNEL_ALLOWED_HOSTS lists (even inside), and does not resolve outside production', async () => {
    const listed = provider(true, ['smtp.internal.corp'], ['10.1.2.3']);
    expect(await reasonOf(listed.p.deliver(channel('smtp.internal.corp'), message))).toBe(
      'delivered',
    );
    expect(listed.lookups).toEqual([]);
    expect(listed.transports[0].options).toMatchObject({ host: 'smtp.internal.corp' });

    const dev = provider(false, [], ['10.1.2.3']);
    expect(await reasonOf(dev.p.deliver(channel('127.0.0.1'), message))).toBe('delivered');
    expect(dev.lookups).toEqual([]);
  });

  it('refuses an internal literal address in production without a lookup', async () => {
    const { p, lookups } = provider(true, [], []);
    expect(await reasonOf(p.deliver(channel('127.1'), message))).toBe('smtp_host_refused');
    expect(lookups).toEqual([]);
  });
});
