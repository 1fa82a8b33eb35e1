import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface UiAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The reference web UI's files: HTML and CSS from `ui/public`, the compiled scripts from
 * `dist/ui` (npm run build). Read once at start into memory and served by name from this fixed
 * list: a request can never name a path on disk.
 */
const PUBLIC_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'admin.html': 'text/html; charset=utf-8',
  'account.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
const SCRIPTS = [
  'signin-page.js',
  'admin-page.js',
  'account-page.js',
  'session-store.js',
  'signin-flow.js',
  'api.js',
  'dom.js',
  'messages.js',
];

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
  for (const name of SCRIPTS) {
    const file = path.join(root, 'dist', 'ui', name);
    // Not built yet (tests run from the sources): the pages load, their scripts are 404.
    if (existsSync(file))
      assets.set(name, {
        body: readFileSync(file),
        contentType: 'text/javascript; charset=utf-8',
      });
  }
  return assets;
}
