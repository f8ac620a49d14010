import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { round } from './stats.ts';

// CPU time from /proc (Linux): what each part of a benchmark spent during a measurement,
// to say what bounds a figure. Elsewhere the figures are simply absent.

const ticksPerSecond = 100;

/** utime + stime of a process (all its threads), in seconds; 0 if it is gone. */
export function processSeconds(pid: number): number {
  try {
    return taskSeconds(`/proc/${pid}/stat`);
  } catch {
    return 0;
  }
}

/** utime + stime from a /proc stat file (a process's or one thread's), in seconds. */
function taskSeconds(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The process and its direct children (PostgreSQL's backends are children of the postmaster). */
export function withChildren(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === pid) children.push(Number(entry));
      } catch {
        // Exited meanwhile.
      }
    }
  } catch {
    return [pid];
  }
  return [pid, ...children];
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** What a Node.js process's thread does, as far as its CPU tells haru's work from others'. */
export type NodeThread = 'main' | 'workerThreads' | 'v8Helpers' | 'other';

/**
 * Linux names a Node.js worker thread `WorkerThread` and V8's helpers `V8Worker`; the helpers
 * do most of a busy heap's garbage collection (parallel scavenges, concurrent marking) and
 * compile optimized code.
 */
function nodeThread(pid: number, task: number, name: string): NodeThread {
  if (task === pid) return 'main';
  if (name === 'WorkerThread') return 'workerThreads';
  return name.startsWith('V8Worker') ? 'v8Helpers' : 'other';
}

/** Each thread's CPU seconds so far (from /proc/<pid>/task), by what it does. */
function nodeThreadSeconds(pid: number): CpuSnapshot<NodeThread> {
  const seconds: CpuSnapshot<NodeThread> = {
    main: new Map(),
    workerThreads: new Map(),
    v8Helpers: new Map(),
    other: new Map(),
  };
  try {
    for (const entry of readdirSync(`/proc/${pid}/task`)) {
      const task = Number(entry);
      try {
        const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
        seconds[nodeThread(pid, task, name)].set(task, taskSeconds(`/proc/${pid}/task/${task}/stat`));
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    // The process is gone.
  }
  return seconds;
}

/**
 * Starts counting one Node.js process's CPU by thread: the main thread, the worker threads
 * (the notifier's send threads) and V8's helpers; `stop()` returns the cores each kept busy.
 */
export function measureNodeThreads(pid: number): { stop(): Record<NodeThread, number> } {
  const counting = countCores(() => nodeThreadSeconds(pid));
  return { stop: () => counting.stop().cores };
}

/** CPU seconds so far of each process or thread in a group, by its id. */
type CpuSnapshot<Group extends string> = Record<Group, Map<number, number>>;

/** Starts counting; `stop()` returns the cores each group kept busy per wall-clock second since. */
function countCores<Group extends string>(snapshot: () => CpuSnapshot<Group>) {
  const started = performance.now();
  const before = snapshot();
  return {
    stop(): { cores: Record<Group, number>; seconds: number } {
      const seconds = (performance.now() - started) / 1000;
      const after = snapshot();
      // By id: one that started meanwhile counts whole, one that ended meanwhile is lost
      // (PostgreSQL's backends come and go with pool connections): an underestimate.
      const used = (group: Group) =>
        [...after[group]].reduce((sum, [id, total]) => sum + Math.max(total - (before[group].get(id) ?? 0), 0), 0);
      const groups = Object.keys(after) as Group[];
      const cores = Object.fromEntries(groups.map((group) => [group, round(used(group) / seconds, 2)]));
      return { cores: cores as Record<Group, number>, seconds };
    },
  };
}

export type CpuGroups = Record<string, () => number[]>;

export interface CpuUse {
  /** Cores each group kept busy on average (1.0 = one core all the time). */
  cores: Record<string, number>;
  /** Share of the whole machine's CPU that was busy, whoever used it. */
  machineBusy: number;
  /** How long the measurement lasted (wall clock). */
  seconds: number;
}

/** Starts counting; `stop()` returns the CPU each group used per wall-clock second since. */
export function measureCpu(groups: CpuGroups): { stop(): CpuUse } {
  const counting = countCores(() =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, new Map(pids().map((pid) => [pid, processSeconds(pid)]))]),
    ),
  );
  const machineBefore = machineTicks();
  return {
    stop() {
      const { cores, seconds } = counting.stop();
      const machineAfter = machineTicks();
      const machineBusy =
        machineBefore && machineAfter
          ? round((machineAfter.busy - machineBefore.busy) / Math.max(machineAfter.total - machineBefore.total, 1), 2)
          : Number.NaN;
      return { cores, machineBusy, seconds: round(seconds, 3) };
    },
  };
}

/**
 * The Auth emulator of this benchmark run (started by the bench stack or the runner, its
 * working directory under a `haru-bench-` temporary directory), found by its command line:
 * in emulator mode firebase-admin looks every verified token's user up in the emulator,
 * so the emulator works on every authenticated request.
 */
export function benchAuthEmulatorPids(): number[] {
  const found: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (!commandLine.includes('emulators:start')) continue;
        if (readlinkSync(`/proc/${entry}/cwd`).includes('haru-bench-')) found.push(Number(entry));
      } catch {
        // Exited, or not ours to read.
      }
    }
  } catch {
    return [];
  }
  return found;
}

/**
 * Starts counting PostgreSQL's CPU by who used it: clients' connections by their
 * application_name (each haru pool names itself, `haru-<schema>[/<job>]`), the server's own
 * processes by their type (autovacuum worker, walwriter, checkpointer, ...). `stop()` asks
 * `roles` whose each process is; one that ended meanwhile is lost (an underestimate), as in
 * `measureCpu`. Returns the cores each kept busy, busiest first.
 */
export function measurePostgresRoles(
  postmasterPid: number,
  roles: () => Promise<ReadonlyMap<number, string>>,
): { stop(): Promise<Record<string, number>> } {
  const snapshot = () => new Map(withChildren(postmasterPid).map((pid) => [pid, processSeconds(pid)]));
  const started = performance.now();
  const before = snapshot();
  return {
    async stop() {
      const seconds = (performance.now() - started) / 1000;
      const after = snapshot();
      const named = await roles();
      const used = new Map<string, number>();
      for (const [pid, total] of after) {
        const role = named.get(pid) ?? (pid === postmasterPid ? 'postmaster' : 'ended before it was named');
        used.set(role, (used.get(role) ?? 0) + Math.max(total - (before.get(pid) ?? 0), 0));
      }
      return Object.fromEntries(
        [...used]
          .map(([role, cpuSeconds]) => [role, round(cpuSeconds / seconds, 3)] as const)
          .filter(([, cores]) => cores > 0)
          .sort(([, a], [, b]) => b - a),
      );
    },
  };
}
