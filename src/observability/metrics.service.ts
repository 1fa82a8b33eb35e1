import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { PurgeRecorder } from '../database/locked-job';
import { QueryCountingLogger } from '../database/query-counting.logger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type LoginOutcome =
  'authenticated' | 'second_factor' | 'invalid_credentials' | 'throttled' | 'unavailable';

/** What a code request came to (IssueResult.delivery, lower case). */
export type CodeDelivery = 'SENT' | 'FAILED' | 'ALREADY_SENT' | 'COOLDOWN';

/** A second-factor verdict, as much of it as the metrics read (otp's Verdict fits). */
export interface VerdictLike {
  /** otp's judgement: `ok`, or the audit reason (wrong, replay, expired, superseded, …). */
  outcome: string;
  exhausted: boolean;
  lockedNow: boolean;
  lockedIndefinitely: boolean;
}

/** What the client was told (TwoFactorVerifier's refusal mapping), from a verdict. */
function answered(v: VerdictLike): string {
  if (v.outcome === 'ok') return 'verified';
  if (v.outcome === 'locked' || v.lockedNow) return 'locked';
  if (v.outcome === 'expired') return 'expired';
  if (v.outcome === 'attempts_exceeded' || v.exhausted) return 'attempts_exceeded';
  return 'invalid';
}

/** Seconds, for sub-second work (HTTP, SMTP): 5 ms … 30 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * One registry per app instance (tests run several in one process). API.md v1.1 §13: no label
 * carries a tenant, a user or a raw URL; every label value comes from a fixed set (outcomes,
 * reasons, channel types, route templates, job names), so the series stay few.
 */
@Injectable()
export class MetricsService implements PurgeRecorder {
  readonly registry = new Registry();
  readonly logins: Counter<'outcome'>;
  private readonly codes: Counter<'channel' | 'delivery'>;
  private readonly verifies: Counter<'outcome' | 'reason'>;
  private readonly lockouts: Counter<'kind'>;
  private readonly resendRefusals: Counter<'reason'>;
  private readonly delivery: Histogram<'channel' | 'result'>;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly hashWait: Histogram;
  private readonly purgeRuns: Counter<'job'>;
  private readonly purgeRows: Counter<'job'>;
  private hashQueueDepth: () => number = () => 0;

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'efcx_' });
    const registers = [this.registry];
    const counted = dataSource.logger;
    let reported = 0;
    new Counter({
      name: 'efcx_db_queries_total',
      help: 'Statements sent to PostgreSQL by this process (round trips, BEGIN/COMMIT included)',
      registers,
      collect() {
        if (!(counted instanceof QueryCountingLogger)) return;
        this.inc(counted.queries - reported);
        reported = counted.queries;
      },
    });
    new Gauge({
      name: 'efcx_db_pool_in_use',
      help: 'Connections of the PostgreSQL pool checked out now (total - idle), read at scrape',
      registers,
      collect() {
        const pool = (dataSource.driver as PostgresDriver | undefined)?.master as Pool | undefined;
        this.set(pool ? pool.totalCount - pool.idleCount : 0);
      },
    });
    this.logins = new Counter({
      name: 'efcx_logins_total',
      help: 'Password logins by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.codes = new Counter({
      name: 'efcx_otp_codes_total',
      help: 'Code requests by channel type and what came of them (sent, failed, already_sent, cooldown)',
      labelNames: ['channel', 'delivery'],
      registers,
    });
    this.verifies = new Counter({
      name: 'efcx_otp_verifies_total',
      help: 'Second-factor verifies by answer (verified, invalid, expired, attempts_exceeded, locked) and audit reason',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'efcx_two_factor_lockouts_total',
      help: 'Accounts locked by failed second factors (timed, or indefinite at the ceiling)',
      labelNames: ['kind'],
      registers,
    });
    this.resendRefusals = new Counter({
      name: 'efcx_otp_resend_refusals_total',
      help: 'Code requests refused by reason (cooldown, resend_limit, locked)',
      labelNames: ['reason'],
      registers,
    });
    this.delivery = new Histogram({
      name: 'efcx_otp_delivery_seconds',
      help: 'Time to hand a code to its channel (SMTP transaction), by channel type and result',
      labelNames: ['channel', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.http = new Histogram({
      name: 'efcx_http_request_duration_seconds',
      help: 'HTTP requests by method, route template (never the URL) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const depth = () => this.hashQueueDepth();
    new Gauge({
      name: 'efcx_hash_queue_depth',
      help: 'Password hashes waiting for a slot (HASH_QUEUE_MAX caps it), read at scrape',
      registers,
      collect() {
        this.set(depth());
      },
    });
    this.hashWait = new Histogram({
      name: 'efcx_hash_queue_wait_seconds',
      help: 'How long a password hash waited for a slot (0 when one was free)',
      buckets: [0, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.purgeRuns = new Counter({
      name: 'efcx_purge_runs_total',
      help: 'Purge runs done by this instance (a run skipped for another instance is not counted)',
      labelNames: ['job'],
      registers,
    });
    this.purgeRows = new Counter({
      name: 'efcx_purge_rows_total',
      help: 'Rows removed by purge runs',
      labelNames: ['job'],
      registers,
    });
  }

  loginOutcome(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** A code request's result for a channel type (its type, never the channel's id). */
  codeRequested(channel: string, delivery: CodeDelivery): void {
    this.codes.inc({ channel, delivery: delivery.toLowerCase() });
  }

  /**
   * A verdict: outcome is what the client was told (verified, invalid, expired,
   * attempts_exceeded, locked), reason the audit reason (`none` on success). A lock this attempt
   * caused is a lockout.
   */
  verified(v: VerdictLike): void {
    this.verifies.inc({ outcome: answered(v), reason: v.outcome === 'ok' ? 'none' : v.outcome });
    if (v.lockedNow) this.lockouts.inc({ kind: v.lockedIndefinitely ? 'indefinite' : 'timed' });
  }

  resendRefused(reason: string): void {
    this.resendRefusals.inc({ reason });
  }

  delivered(channel: string, result: 'sent' | 'failed', seconds: number): void {
    this.delivery.observe({ channel, result }, seconds);
  }

  /** `route`: the matched route's template (`/v1/tenants/:slug`), or `unmatched`. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  /** The hasher's queue, read at each scrape. */
  watchHashQueue(depth: () => number): void {
    this.hashQueueDepth = depth;
  }

  hashWaited(seconds: number): void {
    this.hashWait.observe(seconds);
  }

  purged(job: string, rows: number): void {
    this.purgeRuns.inc({ job });
    this.purgeRows.inc({ job }, rows);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
