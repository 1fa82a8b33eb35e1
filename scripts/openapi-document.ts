/**
 * Writes the service's OpenAPI document (what /docs-json serves) to a file, and with
 * `--types FILE` the TypeScript types openapi-typescript generates from it (the UI's
 * ui/src/generated/api-types.ts). The service is built as the tests build it (test/support), on a
 * throwaway embedded PostgreSQL (or TEST_DATABASE_URL), and asked over HTTP: the document is the
 * one a client sees.
 *
 *   node -r ts-node/register/transpile-only scripts/openapi-document.ts OUT.json [--types FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateApiTypes } from '../test/support/api-types';
import { startTestApp } from '../test/support/test-app';

// A real dynamic import (ts-node compiles `import()` to require, which cannot load .mjs on Node 20).
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: () => Promise<void> }>;

async function main(): Promise<void> {
  const [out, flag, typesFile] = process.argv.slice(2);
  if (!out || (flag !== undefined && (flag !== '--types' || !typesFile)))
    throw new Error('usage: openapi-document.ts OUT.json [--types FILE]');
  process.env.TZ = 'UTC';
  const setup = path.join(__dirname, '..', 'test', 'setup');
  await (await importEsm(pathToFileURL(path.join(setup, 'global-setup.mjs')).href)).default();
  try {
    const t = await startTestApp();
    try {
      const res = await fetch(`${t.url}/docs-json`);
      if (!res.ok) throw new Error(`/docs-json answered ${res.status}`);
      const document = (await res.json()) as Record<string, unknown>;
      mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
      if (typesFile) writeFileSync(typesFile, await generateApiTypes(document, typesFile));
    } finally {
      await t.close();
    }
  } finally {
    await (await importEsm(pathToFileURL(path.join(setup, 'global-teardown.mjs')).href)).default();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
