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
    if (missingFields(existing).length === 0)
      return { file, credentials: existing as DevCredentials, created: false };
    // An older file lacks a newer field: add it, under a lock so instances agree on the value.
    return { file, credentials: await addMissingFields(file), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fresh = generateCredentials();
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
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

const FIELDS: Array<keyof DevCredentials> = [
  'PLATFORM_API_KEY',
  'JWT_PRIVATE_KEY',
  'DATA_ENCRYPTION_KEY',
  'OTP_HASH_KEY',
  'BOOTSTRAP_ADMIN_PASSWORD',
  'EMBEDDED_PG_PASSWORD',
];

function missingFields(existing: Partial<DevCredentials>): Array<keyof DevCredentials> {
  return FIELDS.filter((k) => !existing[k]);
}

async function addMissingFields(file: string): Promise<DevCredentials> {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      await (await fs.open(lock, 'wx', 0o600)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    // Read again under the lock: another instance may have just added the fields.
    const current = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<DevCredentials>;
    if (missingFields(current).length === 0) return current as DevCredentials;
    const merged = { ...generateCredentials(), ...current } as DevCredentials;
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(merged, null, 2), { mode: 0o600 });
    await fs.rename(tmp, file);
    return merged;
  } finally {
    await fs.unlink(lock).catch(() => undefined);
  }
}
