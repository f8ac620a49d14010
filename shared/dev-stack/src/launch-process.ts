import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';

export type LabelColor = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'red' | 'gray' | 'white';

export interface LaunchOptions {
  /** Names the process in its output and in errors. */
  label: string;
  color?: LabelColor;
  cwd?: string;
  /** Added to this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Receives each line the process writes; by default it goes to stdout behind the coloured label. */
  output?: (line: string) => void;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Sent to the process group should this process exit while it still runs (default SIGKILL). */
  exitSignal?: NodeJS.Signals;
  /**
   * Runs it at this nice value (higher yields the CPU to the others): started through `nice`,
   * so that every thread it starts has it, and on Linux its autogroup too. There each session,
   * and a launched process has one of its own, shares the CPU as a group, by the group's nice.
   */
  nice?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchedProcess {
  readonly label: string;
  readonly pid: number;
  /** Settles once the process has exited and its output is read, however it ended. */
  readonly exited: Promise<ExitStatus>;
  exitStatus(): ExitStatus | undefined;
  /** Its last lines of output, for error messages. */
  recentOutput(): string[];
  /** SIGTERM, then SIGKILL if it has not exited by the deadline. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  kill(): Promise<ExitStatus>;
  /** Sends `signal` to the process group, unless it has exited. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Node arguments that make a launched node process stop (SIGTERM itself) once this process
 * is gone, however it ended: `launchProcess(process.execPath, [...exitWithParent, script])`.
 */
export const exitWithParent: readonly string[] = [
  '--import',
  fileURLToPath(new URL('./exit-with-parent.ts', import.meta.url)),
];

const keptLines = 200;
const running = new Map<LaunchedProcess, NodeJS.Signals>();

/**
 * Starts a child process in its own process group, so that stopping it also stops whatever
 * it started, and so that a Ctrl-C in the terminal reaches only the parent, which then
 * shuts things down in order. Whatever is still running when the parent exits is killed.
 */
export function launchProcess(command: string, args: readonly string[], options: LaunchOptions): LaunchedProcess {
  const { label, color = 'white', cwd, env = {}, output = labelledLine(label, color), uid, gid, nice } = options;
  const [file, fileArgs] = nice === undefined ? [command, args] : ['nice', ['-n', String(nice), command, ...args]];
  const child = spawn(file, fileArgs, {
    cwd,
    env: mergeEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
  });

  if (nice !== undefined && child.pid !== undefined) niceAutogroup(child.pid, nice);

  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > keptLines) lines.shift();
    output(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', remember);
  }

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    const settle = (exit: ExitStatus) => {
      status ??= exit;
      running.delete(handle);
      resolve(status);
    };
    child.on('close', (code, signal) => settle({ code, signal }));
    child.on('error', (error) => {
      remember(`failed to run ${command}: ${error.message}`);
      if (child.pid === undefined) settle({ code: null, signal: null });
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (status || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  const handle: LaunchedProcess = {
    label,
    pid: child.pid ?? -1,
    exited,
    exitStatus: () => status,
    recentOutput: () => [...lines],
    async stop(timeoutMs = 30_000) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      signalGroup('SIGKILL');
      return exited;
    },
    signal: signalGroup,
  };
  if (child.pid !== undefined) {
    if (!process.listeners('exit').includes(killRunning)) process.on('exit', killRunning);
    running.set(handle, options.exitSignal ?? 'SIGKILL');
  }
  return handle;
}

/**
 * Sets the nice value of the autogroup of `pid`'s session, where the kernel has autogroups
 * (what Linux weighs against other sessions; a thread's nice only counts within its process).
 */
export function niceAutogroup(pid: number, nice: number) {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // No autogroups here (another system, or a kernel without them): `nice` alone decides.
  }
}

/** Describes how a process ended, for messages. */
export function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function killRunning() {
  for (const [launched, signal] of running) {
    try {
      process.kill(-launched.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function labelledLine(label: string, color: LabelColor) {
  const prefix = styleText(color, `[${label}]`, { stream: process.stdout });
  return (line: string) => {
    process.stdout.write(`${prefix} ${line}\n`);
  };
}

function mergeEnvironment(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}
