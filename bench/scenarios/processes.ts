/** Verify with more than one process: Redis counters, WEB_CONCURRENCY=2, two instances. */
import type { createApp } from '../../src/app.factory';
import type { CodeSink } from '../support/code-sink';
import { BenchResults, measure, Row } from '../support/measure';
import { RunningService, startService } from '../support/service';
import { preIssue, verifyRun } from './verify';

export interface ProcessesResult {
  oneWithRedis: Row;
  twoWorkers: Row;
  twoInstances: Row;
}

export async function moreProcesses(
  env: Record<string, string>,
  app: Awaited<ReturnType<typeof createApp>>,
  url: string,
  sink: CodeSink,
  mail: { id: string; slug: string },
  warm: (svc: RunningService) => Promise<void>,
  results: BenchResults,
): Promise<ProcessesResult> {
  const verifyOn = async (what: string, services: RunningService[], prefix: string) => {
    const pairs = await preIssue(app, url, sink, mail.id, mail.slug, prefix);
    const m = await measure(services, () =>
      verifyRun(
        services.map((s) => s.url),
        pairs,
      ),
    );
    return results.row(what, m.value, m, m.value.statuses['200'] ?? 0);
  };

  let svc = await startService(env);
  await warm(svc);
  const oneWithRedis = await verifyOn(
    'verify, 1 process, throttle counters in Redis',
    [svc],
    'v4-',
  );
  await svc.stop();

  svc = await startService({ ...env, WEB_CONCURRENCY: '2' });
  await warm(svc);
  await warm(svc); // each worker gets some of it
  const twoWorkers = await verifyOn('verify, WEB_CONCURRENCY=2 (2 workers), Redis', [svc], 'v5-');
  await svc.stop();

  const a = await startService(env);
  const b = await startService(env);
  await warm(a);
  await warm(b);
  const twoInstances = await verifyOn(
    'verify, 2 separate instances (25 connections each), Redis',
    [a, b],
    'v6-',
  );
  await a.stop();
  await b.stop();
  return { oneWithRedis, twoWorkers, twoInstances };
}
