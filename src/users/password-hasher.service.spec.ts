import { AppException } from '../common/errors/app.exception';
import { MetricsService } from '../observability/metrics.service';
import { PasswordHasher } from './password-hasher.service';

const hasher = (hashConcurrency: number, hashQueueMax: number) =>
  new PasswordHasher({ hashConcurrency, hashQueueMax } as never, new MetricsService({} as never));

describe('PasswordHasher', () => {
  it('hashes with argon2id at OWASP minimum parameters and verifies', async () => {
    const h = hasher(2, 10);
    await h.onModuleInit();
    const stored = await h.hash('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(h.verify(stored, 'correct horse battery')).resolves.toBe(true);
    await expect(h.verify(stored, 'correct horse batterY')).resolves.toBe(false);
  });

  it('answers false for an unknown user (null hash), after a real verify', async () => {
    const h = hasher(2, 10);
    await h.onModuleInit();
    await expect(h.verify(null, 'anything')).resolves.toBe(false);
  });

  it('refuses with 503 beyond concurrency + queue, and serves the rest', async () => {
    const h = hasher(1, 1);
    await h.onModuleInit();
    const stored = await h.hash('pw-123456789012');
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => h.verify(stored, 'pw-123456789012')),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(AppException);
    // The slots were released: a later verify runs.
    await expect(h.verify(stored, 'pw-123456789012')).resolves.toBe(true);
  });

  it('says "full" before any work when concurrency and queue are taken, and "room" again after', async () => {
    const h = hasher(1, 1);
    await h.onModuleInit();
    const stored = await h.hash('pw-123456789012');
    expect(() => h.assertCapacity()).not.toThrow();
    const running = h.verify(stored, 'pw-123456789012');
    expect(() => h.assertCapacity()).not.toThrow(); // the queue has a place
    const queued = h.verify(stored, 'pw-123456789012');
    expect(() => h.assertCapacity()).toThrow(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }),
    );
    await Promise.all([running, queued]);
    expect(() => h.assertCapacity()).not.toThrow();
  });
});
