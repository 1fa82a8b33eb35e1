import { CodeMessage, DeliveryError, ResolvedChannel } from '../channel-provider';
import { domainOf, EmailChannelProvider, smtpFailureReason, tlsOf } from './email-channel.provider';

describe('email channel failures', () => {
  it('names the exact SMTP failure for the audit log', () => {
    expect(smtpFailureReason({ code: 'ETIMEDOUT' })).toBe('smtp_timeout');
    expect(smtpFailureReason({ code: 'ESOCKET', errno: 'ECONNREFUSED' })).toBe('smtp_unreachable');
    expect(smtpFailureReason({ code: 'EENVELOPE', responseCode: 550 })).toBe('smtp_rejected');
    expect(smtpFailureReason({ code: 'EAUTH', responseCode: 0 })).toBe('smtp_auth_failed');
    expect(smtpFailureReason({})).toBe('smtp_error');
    expect(
      smtpFailureReason({ code: 'ETLS', command: 'STARTTLS', message: 'STARTTLS not offered' }),
    ).toBe('smtp_tls_unavailable');
    expect(
      smtpFailureReason({ code: 'ESOCKET', message: 'self-signed certificate', responseCode: 0 }),
    ).toBe('smtp_tls_failed');
  });

  it('reads the old secure flag as implicit or starttls, and greets with the domain of from', () => {
    expect(tlsOf({ secure: true })).toBe('implicit');
    expect(tlsOf({ secure: false })).toBe('starttls');
    expect(tlsOf({})).toBe('starttls');
    expect(tlsOf({ tls: 'none', secure: true })).toBe('none');
    expect(domainOf('EFCX <no-reply@acme.test>')).toBe('acme.test');
    expect(domainOf('otp@mail.acme.test')).toBe('mail.acme.test');
  });
});

describe('email delivery target in production (SSRF after DNS resolution)', () => {
  const channel = (host: string): ResolvedChannel => ({
    id: 'c1',
    tenantId: 't1',
    type: 'email',
    name: 'SMTP',
    enabled: true,
    config: { host, port: 587, tls: 'starttls', from: 'otp@acme.test' },
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
    locale: { user: null, tenant: 'en' },
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
    const renderer = { render: async () => ({ subject: 's', text: 't', html: 'h', locale: 'en' }) };
    const p = new EmailChannelProvider(
      mailer as never,
      renderer as never,
      {
        smtpTimeoutMs: 1000,
        channelAllowedHosts: allowed,
        channelPlaintextHosts: [],
        smtpHeloName: null,
      } as never,
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
      requireTLS: true,
      secure: false,
      name: 'acme.test',
      tls: { servername: 'smtp.acme.test', rejectUnauthorized: true },
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
