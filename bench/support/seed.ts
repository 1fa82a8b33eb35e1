import { hash } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { ARGON2_PARAMS } from '../../src/users/password-hasher.service';

export const BENCH_PASSWORD = 'bench-password-0123456789';

/** One argon2id hash, reused by every seeded user (the service's own parameters). */
export function benchPasswordHash(): Promise<string> {
  return hash(BENCH_PASSWORD, ARGON2_PARAMS);
}

export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** `count` users `<prefix><n>` of a tenant, inserted in one statement; email 2FA when asked. */
export async function seedUsers(
  url: string,
  tenantId: string,
  prefix: string,
  count: number,
  passwordHash: string,
  email: boolean,
): Promise<void> {
  await sql(
    url,
    `INSERT INTO users (tenant_id, username, password_hash, roles, email)
     SELECT $1, $2 || g, $3, '{agent}', $2 || g || '@bench.test' FROM generate_series(1, $4) g`,
    [tenantId, prefix, passwordHash, count],
  );
  if (email)
    await sql(
      url,
      `INSERT INTO user_2fa (user_id, channel_type, tenant_id, destination)
       SELECT id, 'email', tenant_id, email FROM users
        WHERE tenant_id = $1 AND username LIKE $2 || '%'`,
      [tenantId, prefix],
    );
}

/** Authenticator registrations (sealed secrets, as the service stores them); the secrets. */
export async function seedAuthenticator(
  url: string,
  tenantId: string,
  prefix: string,
  dataEncryptionKey: Buffer,
): Promise<Map<string, string>> {
  const box = new SecretBox(dataEncryptionKey);
  const users = await sql<{ id: string; username: string }>(
    url,
    `SELECT id, username FROM users WHERE tenant_id = $1 AND username LIKE $2 || '%'`,
    [tenantId, prefix],
  );
  const secrets = new Map<string, string>();
  const sealed: string[] = [];
  for (const u of users) {
    const secret = base32(randomBytes(20));
    secrets.set(u.username, secret);
    sealed.push(box.seal(secret, `user_2fa:${u.id}:authenticator`));
  }
  await sql(
    url,
    `INSERT INTO user_2fa (user_id, channel_type, tenant_id, secret, params)
     SELECT u, 'authenticator', $1, s, '{"digits":6,"periodSeconds":30,"algorithm":"SHA1"}'::jsonb
       FROM unnest($2::uuid[], $3::text[]) AS t(u, s)`,
    [tenantId, users.map((u) => u.id), sealed],
  );
  return secrets;
}

function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Scale of data (issue 6): 100,000 more users, 1,000,000 dead challenges (past the retention)
 * and 1,000,000 audit events over two years (about half past AUDIT_RETENTION_DAYS=365), loaded
 * with generate_series. Returns the seconds each part took.
 */
export async function seedScale(
  url: string,
  tenantId: string,
  passwordHash: string,
): Promise<Record<string, number>> {
  const took: Record<string, number> = {};
  let t = performance.now();
  await seedUsers(url, tenantId, 'scale-', 100_000, passwordHash, true);
  took.users = (performance.now() - t) / 1000;
  t = performance.now();
  await sql(
    url,
    `INSERT INTO otp_challenges (tenant_id, user_id, purpose, channel_type, destination,
            destination_key, code_hash, status, attempts, max_attempts, expires_at, created_at, used_at)
     SELECT u.tenant_id, u.id, 'login', 'email', u.email, u.email,
            sha256((u.id::text || k)::bytea),
            CASE WHEN k % 3 = 0 THEN 'dead' ELSE 'used' END, 0, 5,
            now() - interval '2 hours' - (k || ' hours')::interval,
            now() - interval '2 hours 5 minutes' - (k || ' hours')::interval,
            CASE WHEN k % 3 = 0 THEN NULL ELSE now() - interval '2 hours 4 minutes' END
       FROM users u CROSS JOIN generate_series(0, 9) k
      WHERE u.tenant_id = $1 AND u.username LIKE 'scale-%'`,
    [tenantId],
  );
  took.challenges = (performance.now() - t) / 1000;
  t = performance.now();
  await sql(
    url,
    `INSERT INTO audit_events (tenant_id, type, user_id, actor_type, actor_id, ip, data, created_at)
     SELECT $1, 'LOGIN_SUCCEEDED', NULL, 'user', NULL, '127.0.0.1', '{"amr":["pwd"]}'::jsonb,
            now() - ((g % 730) || ' days')::interval - ((g % 86400) || ' seconds')::interval
       FROM generate_series(1, 1000000) g`,
    [tenantId],
  );
  took.auditEvents = (performance.now() - t) / 1000;
  await sql(url, 'ANALYZE');
  return took;
}
