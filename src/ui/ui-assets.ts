import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface UiAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The reference web UI's files: HTML and CSS from `ui/public`, the compiled scripts from
 * `dist/ui` (npm run build). Read once at start into memory and served by name from this map:
 * a request can never name a path on disk.
 */
const PUBLIC_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'admin.html': 'text/html; charset=utf-8',
  'account.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
/** The compiled scripts: dist/ui and its folders (the admin console's panels in admin/). */
const SCRIPT_DIRS = ['', 'admin'];
/** The project root: the nearest folder above this file with a `ui/public` folder. */
function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'ui', 'public'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('ui/public not found above ' + __dirname);
}

export function loadUiAssets(): Map<string, UiAsset> {
  const root = projectRoot();
  const assets = new Map<string, UiAsset>();
  for (const [name, contentType] of Object.entries(PUBLIC_FILES))
    assets.set(name, { body: readFileSync(path.join(root, 'ui', 'public', name)), contentType });
  for (const dir of SCRIPT_DIRS) {
    const folder = path.join(root, 'dist', 'ui', dir);
    // Not built yet (tests run from the sources): the pages load, their scripts are 404.
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.js')))
      assets.set(path.posix.join(dir, file), {
        body: readFileSync(path.join(folder, file)),
        contentType: 'text/javascript; charset=utf-8',
      });
  }
  return assets;
}
