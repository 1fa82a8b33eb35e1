import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateApiTypesInNode } from '../support/api-types';
import { startTestApp, TestApp } from '../support/test-app';

const COMMITTED = path.resolve(__dirname, '..', '..', 'ui', 'src', 'generated', 'api-types.ts');

/** The UI's generated API types are those of the document the service serves now. */
describe('ui/src/generated/api-types.ts', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(path.join(tmpdir(), 'efcx-types-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is what openapi-typescript generates from /docs-json (else: npm run generate:api-types)', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as Record<string, unknown>;
    const fresh = await generateApiTypesInNode(
      document,
      path.join(dir, 'openapi.json'),
      path.join(dir, 'api-types.ts'),
    );
    expect(fresh).toContain("'/v1/auth/login'");
    expect(readFileSync(COMMITTED, 'utf8')).toBe(fresh);
  });

  it("login's TWO_FACTOR_REQUIRED answer requires mfaToken and expiresIn (a client needs no `!`)", async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as {
      components: { schemas: Record<string, { required?: string[] }> };
    };
    expect(document.components.schemas.LoginTwoFactorRequiredResponse.required).toEqual(
      expect.arrayContaining(['status', 'channel', 'mfaToken', 'expiresIn']),
    );
    expect(document.components.schemas.RegistrationRequiredResponse.required).toEqual(
      expect.arrayContaining(['mfaToken', 'expiresIn']),
    );
  });
});
