/**
 * CPU ticks of the whole machine and of this benchmark's own process tree, from Linux's /proc, so a
 * benchmark can tell CPU it used from CPU other jobs on a shared machine took. Node side only;
 * every figure is NaN where /proc cannot be read.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Cumulative CPU ticks (USER_HZ, all cores) at one moment. */
export interface CpuTicks {
  /** Busy ticks of the whole machine: every field of /proc/stat's `cpu` line but idle and iowait. */
  readonly machineBusy: number;
  readonly machineTotal: number;
  /** This process and all its descendants (the browser and its helpers included). */
  readonly tree: number;
  /** Chromium GPU processes among the descendants: compositing and rasterization (SwiftShader here). */
  readonly gpu: number;
}

function machine(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones.
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** Parent pid and utime + stime of a process, from /proc/<pid>/stat (the name may hold spaces). */
function processStat(pid: string): { ppid: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

/** Reads the machine's and the process tree's CPU ticks now. */
export function cpuTicks(): CpuTicks {
  try {
    const m = machine();
    const stats = new Map<number, { ppid: number; ticks: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = processStat(name);
      if (s) stats.set(Number(name), s);
    }
    const children = new Map<number, number[]>();
    for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
    let tree = 0;
    let gpu = 0;
    const stack = [process.pid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      tree += stats.get(pid)?.ticks ?? 0;
      if (pid !== process.pid) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=gpu-process')) gpu += stats.get(pid)?.ticks ?? 0;
        } catch {
          // ended meanwhile
        }
      }
      stack.push(...(children.get(pid) ?? []));
    }
    return { machineBusy: m.busy, machineTotal: m.total, tree, gpu };
  } catch {
    return { machineBusy: NaN, machineTotal: NaN, tree: NaN, gpu: NaN };
  }
}

/** Cores busy between two readings, of `cores`: the machine, this benchmark's tree, its GPU process. */
export function coresBetween(a: CpuTicks, b: CpuTicks, cores: number): { machine: number; tree: number; gpu: number } {
  const total = (b.machineTotal - a.machineTotal) / cores; // ticks per core over the interval
  return {
    machine: (b.machineBusy - a.machineBusy) / total,
    tree: (b.tree - a.tree) / total,
    gpu: (b.gpu - a.gpu) / total,
  };
}
