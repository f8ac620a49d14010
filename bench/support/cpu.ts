import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/**
 * A Node.js process's CPU by thread, in seconds: its main thread, its worker threads (the
 * notifier's send threads), and V8's helper threads, which do most of a busy heap's garbage
 * collection (parallel scavenges, concurrent marking) and compile optimized code. Read from
 * /proc/<pid>/task: Linux names a worker thread `WorkerThread` and V8's helpers `V8Worker`.
 */
function nodeThreadSeconds(pid: number): Record<NodeThread, number> {
  const seconds: Record<NodeThread, number> = { main: 0, workerThreads: 0, v8Helpers: 0, other: 0 };
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
        const kind: NodeThread =
          Number(task) === pid
            ? 'main'
            : name === 'WorkerThread'
              ? 'workerThreads'
              : name.startsWith('V8Worker')
                ? 'v8Helpers'
                : 'other';
        seconds[kind] += taskSeconds(`/proc/${pid}/task/${task}/stat`);
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    // The process is gone.
  }
  return seconds;
}

export type NodeThread = 'main' | 'workerThreads' | 'v8Helpers' | 'other';

/** Starts counting one Node.js process's CPU by thread; `stop()` returns cores kept busy by each kind. */
export function measureNodeThreads(pid: number): { stop(): Record<NodeThread, number> } {
  const started = performance.now();
  const before = nodeThreadSeconds(pid);
  return {
    stop() {
      const wall = (performance.now() - started) / 1000;
      const after = nodeThreadSeconds(pid);
      const cores = (kind: NodeThread) => Math.round((Math.max(after[kind] - before[kind], 0) / wall) * 100) / 100;
      return {
        main: cores('main'),
        workerThreads: cores('workerThreads'),
        v8Helpers: cores('v8Helpers'),
        other: cores('other'),
      };
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
  const perProcess = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        new Map(pids().map((pid) => [pid, processSeconds(pid)] as const)),
      ]),
    );
  const started = performance.now();
  const before = perProcess();
  const machineBefore = machineTicks();
  return {
    stop() {
      const wall = (performance.now() - started) / 1000;
      const after = perProcess();
      const machineAfter = machineTicks();
      // Per process: one that started meanwhile counts whole, one that exited meanwhile is
      // lost (PostgreSQL backends come and go with pool connections): an underestimate.
      const used = (name: string) =>
        [...(after[name] ?? new Map<number, number>())].reduce(
          (sum, [pid, seconds]) => sum + Math.max(seconds - (before[name]?.get(pid) ?? 0), 0),
          0,
        );
      const cores = Object.fromEntries(
        Object.keys(groups).map((name) => [name, Math.round((used(name) / wall) * 100) / 100]),
      );
      const machineBusy =
        machineBefore && machineAfter
          ? Math.round(
              ((machineAfter.busy - machineBefore.busy) / Math.max(machineAfter.total - machineBefore.total, 1)) * 100,
            ) / 100
          : Number.NaN;
      return { cores, machineBusy, seconds: Math.round(wall * 1000) / 1000 };
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
