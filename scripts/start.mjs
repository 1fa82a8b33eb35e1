// `npm start`: build when dist/ is missing or older than the sources, then run the service
// on the embedded defaults (see README). Signals are passed through so Ctrl-C stops cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const entry = 'dist/src/main.js';

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

const sourcesChanged =
  !existsSync(entry) ||
  Math.max(newest('src'), newest('config'), newest('migrations'), newest('ui')) > statSync(entry).mtimeMs;
if (sourcesChanged) {
  process.stderr.write('[efcx-2fa] building…\n');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [entry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
