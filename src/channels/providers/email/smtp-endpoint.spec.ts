import {
  endpointAllowed,
  hostAllowed,
  isInternalHost,
  parseHostEntry,
  STANDARD_SMTP_PORTS,
} from './smtp-endpoint';

describe('which SMTP hosts are internal (not globally reachable)', () => {
  it.each([
    // IPv4 special-purpose (IANA), in every spelling resolvers accept
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0.0.0.0',
    '10.0.0.5',
    '10.1',
    '100.64.0.1',
    '169.254.169.254',
    '172.16.0.1',
    '192.0.0.8',
    '192.0.2.10',
    '192.88.99.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.254',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.251',
    '240.0.0.1',
    '255.255.255.255',
    // IPv6 special-purpose
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fec0::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '100::1',
    '2001:db8::1',
    '2001::1',
    '2002:c0a8:101::1',
    '3fff::1',
    // IPv4 inside IPv6: judged by the IPv4 they carry
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '[::ffff:10.0.0.1]',
    '64:ff9b::127.0.0.1',
    '64:ff9b::a00:1',
    '64:ff9b::198.18.0.1',
    '64:ff9b:1::8.8.8.8',
    // names
    'localhost',
    'LOCALHOST',
    'a.localhost',
  ])('treats %s as internal', (host) => expect(isInternalHost(host)).toBe(true));

  it.each([
    'smtp.acme.test',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '198.20.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('treats %s as external', (host) => expect(isInternalHost(host)).toBe(false));
});

describe('CHANNEL_ALLOWED_HOSTS entries', () => {
  it('reads host, host:port, host:* and [v6]:port', () => {
    expect(parseHostEntry('smtp.acme.test')).toEqual({ host: 'smtp.acme.test', port: null });
    expect(parseHostEntry('SMTP.acme.test:2526')).toEqual({ host: 'smtp.acme.test', port: 2526 });
    expect(parseHostEntry('*.acme.test:*')).toEqual({ host: '*.acme.test', port: '*' });
    expect(parseHostEntry('[fd00::25]:26')).toEqual({ host: 'fd00::25', port: 26 });
    expect(parseHostEntry('fd00::25')).toEqual({ host: 'fd00::25', port: null });
  });

  it('matches hosts exactly or by *.suffix, whatever the port', () => {
    expect(hostAllowed('smtp.acme.test', ['*.acme.test'])).toBe(true);
    expect(hostAllowed('smtp.acme.test', ['*.acme.test:2526'])).toBe(true);
    expect(hostAllowed('acme.test', ['*.acme.test'])).toBe(false);
    expect(hostAllowed('evilacme.test', ['*.acme.test'])).toBe(false);
    expect(hostAllowed('SMTP.ACME.TEST', ['smtp.acme.test'])).toBe(true);
  });

  it('allows the standard ports in production for an entry without a port, that port or * otherwise', () => {
    const list = ['relay.acme.test', 'alt.acme.test:2526', 'any.acme.test:*'];
    for (const port of STANDARD_SMTP_PORTS)
      expect(endpointAllowed('relay.acme.test', port, list, true)).toBe(true);
    expect(endpointAllowed('relay.acme.test', 2526, list, true)).toBe(false);
    expect(endpointAllowed('relay.acme.test', 2526, list, false)).toBe(true);
    expect(endpointAllowed('alt.acme.test', 2526, list, true)).toBe(true);
    expect(endpointAllowed('alt.acme.test', 587, list, true)).toBe(false);
    expect(endpointAllowed('any.acme.test', 8025, list, true)).toBe(true);
    expect(endpointAllowed('other.acme.test', 25, list, true)).toBe(false);
  });
});
