import { DataSource, QueryRunner } from 'typeorm';

/** Keys of the PostgreSQL advisory locks this service takes (one namespace, several jobs). */
export const ADVISORY_LOCKS = {
  startup: 0x45464358_01, // migrations + bootstrap
  auditRetention: 0x45464358_02,
  otpPurge: 0x45464358_03,
  mfaSessionPurge: 0x45464358_04,
  sessionPurge: 0x45464358_05,
  devicePurge: 0x45464358_06,
  webhookDeliveryPurge: 0x45464358_10,
} as const;

/** Session-level locks belong to one connection: hold it for the whole critical section. */
async function onOwnConnection<T>(
  ds: DataSource,
  fn: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    return await fn(runner);
  } finally {
    await runner.release();
  }
}

async function holding<T>(runner: QueryRunner, key: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]);
  }
}

/**
 * Runs `fn` while holding the advisory lock `key`, so that of several instances starting together
 * exactly one runs it at a time; the others wait.
 */
export function withAdvisoryLock<T>(ds: DataSource, key: number, fn: () => Promise<T>): Promise<T> {
  return onOwnConnection(ds, async (runner) => {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    return holding(runner, key, fn);
  });
}

/**
 * Runs `fn` only if no other instance holds the lock right now (scheduled jobs: one instance
 * does the work, the others skip this round). Returns undefined when skipped.
 */
export function ifAdvisoryLockFree<T>(
  ds: DataSource,
  key: number,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  return onOwnConnection(ds, async (runner) => {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
      key,
    ])) as [{ locked: boolean }];
    return locked ? holding(runner, key, fn) : undefined;
  });
}
