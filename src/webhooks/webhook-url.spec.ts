import { checkWebhookUrl } from './webhook-url';

describe('checkWebhookUrl', () => {
  const dev = { production: false, allowedHosts: [] };
  const prod = { production: true, allowedHosts: [] };
  const listed = { production: true, allowedHosts: ['127.0.0.1', '*.hooks.test'] };

  it('normalises an http(s) URL', () => {
    expect(checkWebhookUrl(' https://Hooks.Example.com ', dev)).toEqual({
      url: 'https://hooks.example.com/',
    });
  });

  it.each([
    'ftp://x.test/',
    'javascript:alert(1)',
    'x',
    'https://u:p@x.test/',
    'https://x.test/#f',
  ])('refuses %s (another scheme, credentials or a fragment)', (url) =>
    expect(checkWebhookUrl(url, dev)).toHaveProperty('errors'),
  );

  it('outside production: http and internal hosts are allowed', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/x', dev)).toEqual({
      url: 'http://127.0.0.1:8080/x',
    });
  });

  it('in production: https to a public host', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x', prod)).toHaveProperty('url');
  });

  it.each([
    'http://hooks.example.com/x',
    'https://127.0.0.1/',
    'https://0x7f000001/',
    'https://[fd00::1]/',
    'https://localhost/',
  ])('in production: refuses %s (http, or an internal host)', (url) =>
    expect(checkWebhookUrl(url, prod)).toHaveProperty('errors'),
  );

  it('with WEBHOOK_ALLOWED_HOSTS: only the listed hosts, which may be inside and http', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9/x', listed)).toHaveProperty('url');
    expect(checkWebhookUrl('https://a.hooks.test/x', listed)).toHaveProperty('url');
    expect(checkWebhookUrl('https://hooks.test.evil.com/x', listed)).toHaveProperty('errors');
    expect(checkWebhookUrl('https://hooks.example.com/x', listed)).toHaveProperty('errors');
  });
});
