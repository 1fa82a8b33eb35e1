import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { auditConfig, otpConfig } from '../../config/app-config';
import { ifAdvisoryLockFree } from './advisory-lock';

/**
 * Where purge runs are counted (the metrics service provides it): an abstract class as the DI
 * token, so src/database names no module above it.
 */
export abstract class PurgeRecorder {
  /** A run done by this instance: its job name (a fixed one) and the rows it removed. */
  abstract purged(job: string, rows: number): void;
}

/** `OtpPurge` → `otp_purge`: the job label of the purge metrics. */
const jobLabel = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * A scheduled clean-up that runs on one instance at a time: each tick tries the advisory lock and
 * skips the round when another instance holds it. Failures are logged, never thrown (no caller).
 */
export class LockedJob {
  private readonly logger: Logger;

  constructor(
    private readonly name: string,
    private readonly dataSource: DataSource,
    private readonly lockKey: number,
    private readonly work: () => Promise<number>,
    /** Read at each run (a property injected after construction may be its source). */
    private readonly recorder: () => PurgeRecorder | undefined = () => undefined,
  ) {
    this.logger = new Logger(name);
  }

  /** The cron job that runs this on `cronTime` (UTC), not started: its scheduler starts it. */
  cronJob(cronTime: string): CronJob {
    return CronJob.from({ cronTime, onTick: () => void this.run(), timeZone: 'UTC' });
  }

  /**
   * Rows removed, or undefined when skipped (lock held elsewhere) or failed. Each run done here
   * logs one line with its rows and time, and is counted (efcx_purge_runs_total/_rows_total).
   */
  async run(): Promise<number | undefined> {
    const started = performance.now();
    try {
      const done = await ifAdvisoryLockFree(this.dataSource, this.lockKey, this.work);
      if (done === undefined) return undefined;
      const ms = Math.round(performance.now() - started);
      this.logger.log(
        { job: jobLabel(this.name), rows: done, ms },
        `${this.name}: removed ${done} row(s) in ${ms} ms`,
      );
      this.recorder()?.purged(jobLabel(this.name), done);
      return done;
    } catch (err) {
      this.logger.error({ err }, `${this.name} failed`);
      return undefined;
    }
  }
}

/**
 * The batch DELETE of an owner's `table` whose rows end at `expires_at`: at most `$2` rows that
 * ended more than `$1` seconds ago (the id-subquery keeps each batch small).
 */
export function expiredRowsBatch(table: string): string {
  return `DELETE FROM ${table} WHERE id IN (
    SELECT id FROM ${table} WHERE expires_at < now() - make_interval(secs => $1) LIMIT $2)`;
}

/** Deletes in batches (short locks, no long transaction) until fewer than `batch` go. */
export async function deleteInBatches(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
  batch = 5000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = (await dataSource.query(sql, [...params, batch])) as [unknown[], number];
    total += result[1];
    if (result[1] < batch) return total;
  }
}

/** When a purge runs, and how old (in the unit of its SQL's `$1`) a row must be to go. */
interface PurgeSchedule {
  cron: string;
  retention: number;
}

/**
 * A module's purge, run on its schedule on one instance at a time, in batches. The subclass names
 * itself and its lock and owns its SQL, `deleteBatch`: a DELETE of at most `$2` rows older than
 * `$1` (the retention), repeated until fewer than a batch go.
 */
export abstract class PurgeJob implements OnApplicationBootstrap {
  protected abstract readonly jobName: string;
  protected abstract readonly lockKey: number;
  protected abstract readonly deleteBatch: string;
  protected abstract schedule(): PurgeSchedule;

  // Property-injected, so the subclasses need no constructor.
  @InjectDataSource() private readonly dataSource!: DataSource;
  @Inject(PurgeRecorder) private readonly recorder!: PurgeRecorder;
  @Inject(SchedulerRegistry) private readonly scheduler!: SchedulerRegistry;
  private lockedJob?: LockedJob;

  /** Built on first use: the subclass's fields are set after this class's constructor. */
  private get job(): LockedJob {
    return (this.lockedJob ??= new LockedJob(
      this.jobName,
      this.dataSource,
      this.lockKey,
      () => deleteInBatches(this.dataSource, this.deleteBatch, [this.schedule().retention]),
      () => this.recorder,
    ));
  }

  /** Registered with @nestjs/schedule, which also stops it at shutdown. */
  onApplicationBootstrap(): void {
    const cron = this.job.cronJob(this.schedule().cron);
    this.scheduler.addCronJob(this.jobName, cron);
    cron.start();
  }

  /** Rows removed, or undefined when another instance holds the lock (or it failed). */
  run(): Promise<number | undefined> {
    return this.job.run();
  }
}

/** A purge of rows OTP_RETENTION_SECONDS after their end (`$1` in seconds), every OTP_PURGE_CRON. */
export abstract class OtpRetentionPurgeJob extends PurgeJob {
  @Inject(otpConfig.KEY) private readonly otp!: ConfigType<typeof otpConfig>;

  protected schedule(): PurgeSchedule {
    return { cron: this.otp.purgeCron, retention: this.otp.retentionSeconds };
  }
}

/** A daily purge of rows older than AUDIT_RETENTION_DAYS (`$1` in days), at `dailyAt` (cron). */
export abstract class AuditRetentionPurgeJob extends PurgeJob {
  protected abstract readonly dailyAt: string;
  @Inject(auditConfig.KEY) private readonly audit!: ConfigType<typeof auditConfig>;

  protected schedule(): PurgeSchedule {
    return { cron: this.dailyAt, retention: this.audit.retentionDays };
  }
}
