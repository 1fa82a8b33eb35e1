import { startTestApp, TestApp } from './test-app';
import { startServiceProcess } from './service-process';

export interface SecondInstance {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Another instance of the service in its own process (src/main.ts, as production runs it) on the
 * same database and with the same secrets as `primary`: two instances behind one load balancer.
 */
export async function startSecondInstance(
  primary: TestApp,
  env: Record<string, string> = {},
): Promise<SecondInstance> {
  const service = await startServiceProcess(primary, env);
  return {
    url: service.url,
    stop: async () => {
      service.child.kill('SIGTERM');
      await service.exited;
      await service.cleanup();
    },
  };
}

/**
 * For one describe block: a test app with `env` and a second instance on its database (an SMTP
 * sink before them, when given), started before its tests and stopped after them. `bind`
 * receives both (assign them to the block's variables).
 */
export function useTwoInstances(
  bind: (instances: { primary: TestApp; second: SecondInstance }) => void,
  env: Record<string, string>,
  smtp?: { start: () => Promise<unknown>; stop: () => Promise<void> },
): void {
  let primary: TestApp | undefined;
  let second: SecondInstance | undefined;
  beforeAll(async () => {
    await smtp?.start();
    primary = await startTestApp({ env });
    second = await startSecondInstance(primary, env);
    bind({ primary, second });
  }, 90000);
  afterAll(async () => {
    await second?.stop();
    await primary?.close();
    await smtp?.stop();
  });
}
