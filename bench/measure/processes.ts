import { readdirSync, readFileSync } from "node:fs";

/** The kernel's clock ticks per second for /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

/**
 * A process, or a set of them (PostgreSQL's backends), measured under one name. `grows`: what its
 * memory grows with by design (a data store's data, the load generator's orders), when it does: a
 * soak shows its growth and does not judge it.
 */
export type Role = { name: string; pids(): number[]; shared?: boolean; grows?: string };

/** The bench process's own role: measured beside the flow, never counted as the flow's. */
export const loadGeneratorName = "load generator (this bench process)";

export type CpuMark = Map<string, Map<number, number>>;

/** CPU time (utime + stime) of a live process in ticks, or undefined once it is gone. */
export function cpuTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * A process's proportional set size: its private pages, plus each shared page divided by the
 * processes that map it. Unlike RSS, it adds up: PostgreSQL's backends all map its shared buffers,
 * and their RSS summed counted those once per backend (2.7–3.0 GB for 67 backends whose PSS was
 * 280 MB). Falls back to RSS where smaps_rollup cannot be read.
 */
export function memoryKiBOf(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    if (match) return Number(match[1]);
  } catch {
    // gone, or not readable: try RSS
  }
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The children of `parent` (PostgreSQL's backends and workers are its postmaster's children). */
export function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The pids whose command line contains every one of `parts`. */
export function findProcesses(parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (parts.every((part) => command.includes(part))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * How often each role's memory is read. Not more often: reading smaps_rollup makes the kernel walk
 * each process's page tables (each PostgreSQL backend maps all of shared_buffers), and finding the
 * backends reads every /proc/<pid>/stat. Once a second, that was 41 % of the load generator's
 * samples and about a tenth of a core taken from the flow on the same two cores (bun run bench
 * --quick, real engines).
 */
export const memorySampleIntervalMs = 5_000;

/**
 * CPU of every role between two marks (a phase), and the memory (PSS) of each role every
 * `memoryEveryMs` and at each mark over the whole run (its peak, and the series a soak is judged
 * by). The marks, a few per phase, catch a process that lives for one short phase only (the order
 * API measured alone) between two timer samples.
 */
export function createProcessSampler(memoryEveryMs = memorySampleIntervalMs) {
  const roles = new Map<string, Role>();
  const series = new Map<string, Array<{ at: number; memoryKiB: number }>>();
  const peaks = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | undefined;

  function cpuOf(role: Role): Map<number, number> {
    const cpuTicks = new Map<number, number>();
    for (const pid of role.pids()) {
      const ticks = cpuTicksOf(pid);
      if (ticks !== undefined) cpuTicks.set(pid, ticks);
    }
    return cpuTicks;
  }

  function sampleMemory() {
    for (const role of roles.values()) {
      const memoryKiB = role.pids().reduce((sum, pid) => sum + memoryKiBOf(pid), 0);
      if (memoryKiB === 0) continue;
      series.get(role.name)!.push({ at: Date.now(), memoryKiB });
      peaks.set(role.name, Math.max(peaks.get(role.name) ?? 0, memoryKiB));
    }
  }

  return {
    add(role: Role) {
      roles.set(role.name, role);
      if (!series.has(role.name)) series.set(role.name, []);
    },
    start() {
      timer ??= setInterval(sampleMemory, memoryEveryMs);
      sampleMemory();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    /** CPU ticks of every role's processes now: the start or end of a phase. */
    mark(): CpuMark {
      sampleMemory();
      return new Map([...roles.values()].map((role) => [role.name, cpuOf(role)]));
    },
    roles: () => [...roles.values()],
    peakMemoryMiB: (name: string) => (peaks.get(name) ?? 0) / 1024,
    memorySeries: (name: string) => series.get(name) ?? [],
  };
}

export type ProcessSampler = ReturnType<typeof createProcessSampler>;

/**
 * CPU seconds each role used between two marks. A process that appeared meanwhile counts from its
 * start; one that disappeared counts up to the first mark only (a pool's connections live on).
 */
export function cpuSecondsBetween(from: CpuMark, to: CpuMark): Map<string, number> {
  const used = new Map<string, number>();
  for (const [name, after] of to) {
    const before = from.get(name) ?? new Map<number, number>();
    let ticks = 0;
    for (const [pid, value] of after) ticks += value - (before.get(pid) ?? 0);
    used.set(name, ticks / ticksPerSecond);
  }
  return used;
}
