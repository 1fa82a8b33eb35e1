import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueryCountingLogger } from '../database/query-counting.logger';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export type LoginOutcome =
  'authenticated' | 'second_factor' | 'invalid_credentials' | 'throttled' | 'unavailable';

/** One registry per app instance (tests run several in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly logins: Counter<'outcome'>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'efcx_' });
    const counted = dataSource.logger;
    let reported = 0;
    new Counter({
      name: 'efcx_db_queries_total',
      help: 'Statements sent to PostgreSQL by this process (round trips, BEGIN/COMMIT included)',
      registers: [this.registry],
      collect() {
        if (!(counted instanceof QueryCountingLogger)) return;
        this.inc(counted.queries - reported);
        reported = counted.queries;
      },
    });
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
