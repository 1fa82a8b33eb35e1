import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { moduleGraph } = require('../../scripts/module-graph.js') as { moduleGraph: () => string };

/** dependency-cruiser over `src` of `dir` with the project's rules: its exit status and output. */
function cruise(dir: string): { status: number; output: string } {
  try {
    const output = execFileSync(
      path.join(root, 'node_modules', '.bin', 'depcruise'),
      ['src', '--config', '.dependency-cruiser.cjs'],
      { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
    );
    return { status: 0, output };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

describe('the module rules of DESIGN.md (dependency-cruiser, npm run lint)', () => {
  it('a forbidden import in a copy of src/ (users importing auth) fails the check; the copy as it is passes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'efcx-modules-'));
    try {
      for (const entry of [
        'src',
        'config',
        'migrations',
        'tsconfig.json',
        '.dependency-cruiser.cjs',
      ])
        cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
      symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
      expect(cruise(dir).status).toBe(0);

      writeFileSync(
        path.join(dir, 'src', 'users', 'forbidden.ts'),
        "import { AuthService } from '../auth/auth.service';\nexport const forbidden = AuthService;\n",
      );
      const refused = cruise(dir);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toContain('users-depends-only-on-audit');
      expect(refused.output).toContain('src/users/forbidden.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("docs/ARCHITECTURE.md's module graph is the code's (node scripts/module-graph.js --write)", () => {
    const doc = readFileSync(path.join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    expect(doc).toContain(moduleGraph());
  });
});
