import { Logger } from '@nestjs/common';
import { AddressInfo, createServer, Socket } from 'node:net';
import { ErrorCode } from '../common/errors/error-code';
import { RedisRateCounterStore } from './redis-rate-counter.store';

// Needs no Redis: port 1 on loopback, where nothing listens. The shared-server behaviour is
// covered by test/redis (npm run test:redis).
const storeAt = (url: string, timeoutMs: number) =>
  new RedisRateCounterStore({ url, keyPrefix: 'efcx:test:', timeoutMs });
const unavailable = { code: ErrorCode.SERVICE_UNAVAILABLE };

describe('RedisRateCounterStore without a reachable Redis', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));
  it('answers 503 SERVICE_UNAVAILABLE quickly for hit and peek, and closes cleanly', async () => {
    const store = storeAt('redis://127.0.0.1:1', 500);
    try {
      const started = Date.now();
      await expect(store.hit('k', 60_000)).rejects.toMatchObject(unavailable);
      await expect(store.peek('k')).rejects.toMatchObject(unavailable);
      await expect(store.hit('k', 60_000)).rejects.toMatchObject(unavailable);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await store.close();
    }
    await expect(store.hit('k', 60_000)).rejects.toMatchObject(unavailable);
  });

  it('gives up on a server that accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const store = storeAt(`redis://127.0.0.1:${port}`, 300);
    try {
      const started = Date.now();
      await expect(store.hit('k', 60_000)).rejects.toMatchObject(unavailable);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await store.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
