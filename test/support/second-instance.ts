import type { TestApp } from './test-app';
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
