import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export type LoginOutcome =
  'authenticated' | 'second_factor' | 'invalid_credentials' | 'throttled' | 'unavailable';

/** One registry per app instance (tests run several in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly logins: Counter<'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'efcx_' });
    this.logins = new Counter({
      name: 'efcx_logins_total',
      help: 'Password logins by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
  }

  loginOutcome(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
