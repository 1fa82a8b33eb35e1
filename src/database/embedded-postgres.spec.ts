import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { embeddedDataDirectory } from './embedded-postgres';

describe('embeddedDataDirectory', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'efcx-datadir-'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('keeps ./.data/pg when the postgres user can reach it, or when not root', async () => {
    await chmod(base, 0o755);
    expect(embeddedDataDirectory(path.join(base, '.data'), true)).toBe(
      path.join(base, '.data', 'pg'),
    );
    await chmod(base, 0o700);
    expect(embeddedDataDirectory(path.join(base, '.data'), false)).toBe(
      path.join(base, '.data', 'pg'),
    );
  });

  it('moves to /var/lib/efcx-2fa/<hash> under root when a parent folder is private', async () => {
    await chmod(base, 0o700);
    await mkdir(path.join(base, '.data'));
    const dir = embeddedDataDirectory(path.join(base, '.data'), true);
    expect(dir).toMatch(/^\/var\/lib\/efcx-2fa\/[0-9a-f]{16}\/pg$/);
    expect(embeddedDataDirectory(path.join(base, '.data'), true)).toBe(dir);
  });
});
