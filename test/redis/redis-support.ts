import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's Redis (`.ci/run` runs these specs only when it answers PONG). */
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** Counts persist between runs: every run (and every describe) counts under its own prefix. */
export const uniqueKeyPrefix = () => `efcx:test:${randomUUID()}:`;

/** A plain client to look at and clean up what the service wrote. */
export function redisClient(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
}

export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length) await client.del(...keys);
}
