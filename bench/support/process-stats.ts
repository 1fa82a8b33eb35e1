import { readFileSync, readdirSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** The process and its descendants (cluster workers). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** User + system CPU seconds of the processes. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // gone
    }
  }
  return ticks / TICKS;
}

/** Resident set size (MiB) of each process, now. */
export function rssMiB(pids: number[]): number[] {
  return pids.map((pid) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  });
}

/** Samples the largest per-process RSS every 100 ms until stopped. */
export class RssSampler {
  peak = 0;
  private timer?: NodeJS.Timeout;

  start(pids: () => number[]): void {
    this.timer = setInterval(() => {
      for (const r of rssMiB(pids())) this.peak = Math.max(this.peak, r);
    }, 100);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

let postgresServer: number | null = null;

/**
 * From now on, PostgreSQL CPU is this server's (its postmaster and every child: backends,
 * autovacuum, checkpointer), not that of another PostgreSQL on the machine (a test run's).
 */
export function countPostgresServer(postmasterPid: number): void {
  postgresServer = postmasterPid;
}

/** The parent of a process (null when it is gone). */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The bench's PostgreSQL server processes, or every one on this machine when it is not known. */
export function postgresPids(): number[] {
  if (postgresServer !== null) return processTree(postgresServer);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Busy and total jiffies of the whole machine (/proc/stat), for a utilisation between two reads. */
export function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds per process, to take deltas that survive processes coming and going. */
export function cpuByPid(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuSeconds([pid])]));
}

/** CPU spent between two snapshots: processes that exited in between count up to their last read. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/**
 * CPU seconds of the bench's PostgreSQL per process, plus (under the key -1) what its processes
 * that have exited used (the postmaster's reaped children: short autovacuum workers, ended
 * connections), so a delta misses nothing that ran in between.
 */
export function postgresCpu(): Map<number, number> {
  const cpu = cpuByPid(postgresPids());
  if (postgresServer === null) return cpu;
  try {
    const stat = readFileSync(`/proc/${postgresServer}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu.set(-1, (Number(f[13]) + Number(f[14])) / TICKS); // cutime, cstime
  } catch {
    // the server is gone: nothing more to count
  }
  return cpu;
}
