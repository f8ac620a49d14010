import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStackRecord } from '@haru/config/local-stack';
import { eventually } from './eventually.ts';
import { commandLine, isAlive } from './process-info.ts';

export interface StopLeftoversOptions {
  /** How long processes get to stop by themselves (they watch their parent) before being signalled. */
  graceMs: number;
  say: (line: string) => void;
}

/**
 * Stops what a stack whose launcher is gone left running, in the launcher's order: its
 * node processes first (the services drain), then the PostgreSQL of `dataDir`. A process
 * counts as the stack's only while its command line is still the one recorded, so a pid
 * reused by something else since is left alone. Used by the watchdog when the launcher
 * dies and by the next `npm start`.
 */
export async function stopLeftovers(
  dataDir: string,
  record: LocalStackRecord | undefined,
  { graceMs, say }: StopLeftoversOptions,
): Promise<void> {
  const ours = async () => {
    const alive: LocalStackRecord['processes'] = [];
    for (const entry of record?.processes ?? []) {
      if (entry.pid !== process.pid && (await commandLine(entry.pid))?.includes(entry.command)) alive.push(entry);
    }
    return alive;
  };
  const allGone = (timeoutMs: number) =>
    eventually(async () => (await ours()).length === 0, { timeoutMs, intervalMs: 100 }).catch(() => false);

  if (!(await allGone(graceMs))) {
    for (const entry of await ours()) {
      say(`stopping ${entry.label} (pid ${entry.pid}) left running by an earlier start`);
      signalGroup(entry.pid, 'SIGTERM');
    }
    if (!(await allGone(5_000))) for (const entry of await ours()) signalGroup(entry.pid, 'SIGKILL');
  }
  await stopOrphanedPostgres(join(dataDir, 'postgres'), say);
}

/**
 * PostgreSQL records its pid in `postmaster.pid`. A server of this data directory still
 * running gets a fast shutdown; a file naming a process that is not that server (after a
 * crash the pid may belong to anything) is removed, as PostgreSQL would refuse to start.
 */
async function stopOrphanedPostgres(pgDataDir: string, say: (line: string) => void) {
  const pidFile = join(pgDataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  const command = await commandLine(pid);
  if (!command?.includes(pgDataDir)) {
    rmSync(pidFile, { force: true });
    return;
  }
  say(`stopping PostgreSQL (pid ${pid}) left running in ${pgDataDir} by an earlier start`);
  process.kill(pid, 'SIGINT');
  const stopped = await eventually(() => !isAlive(pid), { timeoutMs: 15_000, intervalMs: 50 }).catch(() => false);
  if (!stopped && isAlive(pid)) {
    process.kill(pid, 'SIGQUIT');
    await eventually(() => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 50 }).catch(() => {});
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}
