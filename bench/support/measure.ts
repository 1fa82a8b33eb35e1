import { cpuDelta, cpuSeconds, machineTicks, postgresCpu, RssSampler } from './process-stats';
import type { Stats } from './load';
import type { RunningService } from './service';

export const log = (s: string) => process.stdout.write(`[bench] ${s}\n`);
export const round = (n: number, d = 0) => Number(n.toFixed(d));

/** One line of the results table. */
export interface Row {
  what: string;
  perSecond: number;
  p50?: number;
  p99?: number;
  cpuMsPerOp?: number;
  pgCpuMsPerOp?: number;
  machineBusyPct?: number;
  roundTrips?: number;
  note?: string;
}

/** What the machine did while a piece of work ran. */
export interface Measured<T> {
  value: T;
  cpuSeconds: number;
  /** CPU seconds of the bench's PostgreSQL meanwhile (every process, exited ones included). */
  pgCpuSeconds: number;
  /** Share of the machine's CPUs busy meanwhile (all processes). */
  machineBusy: number;
  queries: number;
  peakRssMiB: number;
}

/** Runs `work` and measures the service processes, PostgreSQL and the machine meanwhile. */
export async function measure<T>(
  svc: RunningService[],
  work: () => Promise<T>,
): Promise<Measured<T>> {
  const pids = () => svc.flatMap((s) => s.pids());
  const rss = new RssSampler();
  rss.start(pids);
  const cpu0 = cpuSeconds(pids());
  const pg0 = postgresCpu();
  const m0 = machineTicks();
  const q0 = svc.length === 1 ? await svc[0].dbQueries() : NaN;
  const value = await work();
  const q1 = svc.length === 1 ? await svc[0].dbQueries() : NaN;
  const cpu1 = cpuSeconds(pids());
  const pg1 = postgresCpu();
  const m1 = machineTicks();
  return {
    value,
    cpuSeconds: cpu1 - cpu0,
    pgCpuSeconds: cpuDelta(pg0, pg1),
    machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    queries: q1 - q0,
    peakRssMiB: rss.stop(),
  };
}

/** The rows and notes of one bench run, in the order they were measured. */
export class BenchResults {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  peakRssMiB = 0;

  /** A measured run of `ops` operations as a row (per second, latency, CPU, round trips). */
  row(what: string, s: Stats, m: Measured<unknown>, ops: number, note?: string): Row {
    this.peakRssMiB = Math.max(this.peakRssMiB, m.peakRssMiB);
    const r: Row = {
      what,
      perSecond: round(ops / s.seconds, 1),
      p50: round(s.p50, 1),
      p99: round(s.p99, 1),
      cpuMsPerOp: round((m.cpuSeconds * 1000) / ops, 2),
      pgCpuMsPerOp: round((m.pgCpuSeconds * 1000) / ops, 2),
      machineBusyPct: round(m.machineBusy * 100),
      roundTrips: Number.isFinite(m.queries) ? round(m.queries / ops, 1) : undefined,
      note,
    };
    this.add(r);
    log(`statuses=${JSON.stringify(s.statuses)}`);
    return r;
  }

  add(r: Row): Row {
    this.rows.push(r);
    log(`${r.what}: ${JSON.stringify(r)}`);
    return r;
  }

  note(text: string): void {
    this.notes.push(text);
  }
}
