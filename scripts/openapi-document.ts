/**
 * Writes the service's OpenAPI document (what /docs-json serves) to a file, and with
 * `--types FILE` the TypeScript types openapi-typescript generates from it (the UI's
 * ui/src/generated/api-types.ts). The service is built as the tests build it (test/support), on a
 * throwaway embedded PostgreSQL (or TEST_DATABASE_URL), and asked over HTTP: the document is the
 * one a client sees. `--from DOC.json --types FILE` only generates the types of a document (the
 * tests use it: openapi-typescript needs Node's require of ES modules, which jest lacks).
 *
 *   node -r ts-node/register/transpile-only scripts/openapi-document.ts OUT.json [--types FILE]
 *   node -r ts-node/register/transpile-only scripts/openapi-document.ts --from DOC.json --types FILE
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateApiTypes } from '../test/support/api-types';
import { startTestApp } from '../test/support/test-app';

// A real dynamic import (ts-node compiles `import()` to require, which cannot load .mjs on Node 20).
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: () => Promise<void> }>;

async function servedDocument(): Promise<Record<string, unknown>> {
  process.env.TZ = 'UTC';
  const setup = path.join(__dirname, '..', 'test', 'setup');
  await (await importEsm(pathToFileURL(path.join(setup, 'global-setup.mjs')).href)).default();
  try {
    const t = await startTestApp();
    try {
      const res = await fetch(`${t.url}/docs-json`);
      if (!res.ok) throw new Error(`/docs-json answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      await t.close();
    }
  } finally {
    await (await importEsm(pathToFileURL(path.join(setup, 'global-teardown.mjs')).href)).default();
  }
}

async function main(args: string[]): Promise<void> {
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const typesFile = option('--types');
  const from = option('--from');
  if (from) {
    if (!typesFile) throw new Error('--from needs --types FILE');
    const document = JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>;
    writeFileSync(typesFile, await generateApiTypes(document));
    return;
  }
  const out = args[0];
  if (!out || out.startsWith('--'))
    throw new Error('usage: openapi-document.ts OUT.json [--types FILE]');
  const document = await servedDocument();
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
  if (typesFile) writeFileSync(typesFile, await generateApiTypes(document));
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
