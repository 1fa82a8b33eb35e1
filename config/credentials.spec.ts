import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadOrCreateCredentials } from './credentials';

describe('development credentials', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'efcx-creds-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are created once with mode 0600 and reused', async () => {
    const first = await loadOrCreateCredentials(dir);
    expect(first.created).toBe(true);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(first.credentials.JWT_PRIVATE_KEY).toContain('BEGIN PRIVATE KEY');
    expect(Buffer.from(first.credentials.DATA_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    const again = await loadOrCreateCredentials(dir);
    expect(again.created).toBe(false);
    expect(again.credentials).toEqual(first.credentials);
  });

  it('agree when several processes create them at once', async () => {
    const all = await Promise.all([1, 2, 3, 4, 5, 6].map(() => loadOrCreateCredentials(dir)));
    expect(all.filter((c) => c.created)).toHaveLength(1);
    for (const c of all) expect(c.credentials).toEqual(all[0].credentials);
    const onDisk = JSON.parse(await readFile(all[0].file, 'utf8'));
    expect(onDisk).toEqual(all[0].credentials);
  });

  it('add a field an older file lacks, keep the rest, and agree under concurrency', async () => {
    const { file, credentials } = await loadOrCreateCredentials(dir);
    const { OTP_HASH_KEY: _dropped, ...older } = credentials;
    await writeFile(file, JSON.stringify(older), { mode: 0o600 });
    const all = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateCredentials(dir)));
    for (const c of all) {
      expect(c.credentials).toEqual(all[0].credentials);
      expect(c.credentials.PLATFORM_API_KEY).toBe(credentials.PLATFORM_API_KEY);
    }
    expect(all[0].credentials.OTP_HASH_KEY).toBeTruthy();
    expect(all[0].credentials.OTP_HASH_KEY).not.toBe(credentials.OTP_HASH_KEY);
  });
});
