import { DataSource } from 'typeorm';

/** Keys of the PostgreSQL advisory locks this service takes (one namespace, several jobs). */
export const ADVISORY_LOCKS = {
  startup: 0x45464358_01, // migrations + bootstrap
  auditRetention: 0x45464358_02,
} as const;

/**
 * Runs `fn` while holding a session-level advisory lock on a dedicated connection, so that of
 * several instances starting together exactly one runs it at a time; the others wait.
 */
export async function withAdvisoryLock<T>(
  ds: DataSource,
  key: number,
  fn: () => Promise<T>,
): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Runs `fn` only if no other instance holds the lock right now (scheduled jobs: one instance
 * does the work, the others skip this round). Returns undefined when skipped.
 */
export async function ifAdvisoryLockFree<T>(
  ds: DataSource,
  key: number,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
      key,
    ])) as [{ locked: boolean }];
    if (!locked) return undefined;
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
