import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GeneratedSecrets } from './environment';

export interface DevCredentials extends GeneratedSecrets {
  /** Password of the embedded PostgreSQL superuser. */
  EMBEDDED_PG_PASSWORD: string;
}

export function generateCredentials(): DevCredentials {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    PLATFORM_API_KEY: randomBytes(32).toString('base64url'),
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OTP_HASH_KEY: randomBytes(32).toString('base64'),
    BOOTSTRAP_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    EMBEDDED_PG_PASSWORD: randomBytes(24).toString('base64url'),
  };
}

/**
 * Development secrets, created once into `<dataDir>/credentials.json` (mode 0600) and reused.
 * Creation is atomic (write a temp file, then hard-link it into place, which fails if another
 * process won the race), so instances starting together agree on one set.
 */
export async function loadOrCreateCredentials(
  dataDir: string,
): Promise<{ file: string; credentials: DevCredentials; created: boolean }> {
  const file = path.join(dataDir, 'credentials.json');
  // 0711: others may traverse (the embedded PostgreSQL runs as its own user in ./pg when started
  // by root) but not list; the credentials file itself is 0600.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  await fs.chmod(dataDir, 0o711);
  try {
    const existing = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<DevCredentials>;
    const missing = Object.entries(generateCredentials()).filter(
      ([k]) => !existing[k as keyof DevCredentials],
    );
    if (missing.length === 0)
      return { file, credentials: existing as DevCredentials, created: false };
    // An older file lacks a newer field: add it, keeping every value already there.
    const merged = { ...Object.fromEntries(missing), ...existing } as DevCredentials;
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(merged, null, 2), { mode: 0o600 });
    await fs.rename(tmp, file);
    return { file, credentials: merged, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fresh = generateCredentials();
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  try {
    await fs.link(tmp, file);
    return { file, credentials: fresh, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return {
      file,
      credentials: JSON.parse(await fs.readFile(file, 'utf8')) as DevCredentials,
      created: false,
    };
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}
