import { generateCredentials } from '../config/credentials';
import { buildAppConfig, validateEnvironment } from '../config/environment';
import { readyBanner } from './ready-banner';

const gen = generateCredentials();

describe('the start banner (issue 16: the URLs first)', () => {
  it('development: service, sign-in page, admin console, dev inbox and docs, then the account', () => {
    const config = buildAppConfig(validateEnvironment({}), { generated: gen });
    const lines = readyBanner(
      { config, env: {}, credentials: { file: '/x/.data/credentials.json' } },
      true,
    );
    expect(lines).toEqual([
      'listening on http://127.0.0.1:3000',
      '  sign-in page:  http://127.0.0.1:3000/?tenant=demo',
      '  admin console: http://127.0.0.1:3000/admin?tenant=demo',
      '  dev inbox:     http://127.0.0.1:3000/dev/inbox (SMTP on 127.0.0.1:1025)',
      '  API docs:      http://127.0.0.1:3000/docs',
      'tenant "demo", admin user "admin" (password: BOOTSTRAP_ADMIN_PASSWORD in /x/.data/credentials.json)',
    ]);
    expect(lines.join('\n')).not.toContain(gen.BOOTSTRAP_ADMIN_PASSWORD);
  });

  it('production: the service URL only (no UI, inbox, docs or account by default)', () => {
    const { randomBytes } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const config = buildAppConfig(
      validateEnvironment({
        NODE_ENV: 'production',
        PORT: '8080',
        DATABASE_URL: 'postgres://u:p@db:5432/efcx',
        PLATFORM_API_KEY: randomBytes(32).toString('base64url'),
        JWT_PRIVATE_KEY: gen.JWT_PRIVATE_KEY,
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        OTP_HASH_KEY: randomBytes(32).toString('base64'),
      }),
    );
    expect(readyBanner({ config, env: {} }, false)).toEqual(['listening on http://127.0.0.1:8080']);
  });
});
