import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './load-config.ts';

/**
 * What a running `npm start` records in `<data dir>/stack.json` (readable by its owner only),
 * so that operator commands and the console find it without settings, and so that the next
 * `npm start` finds what an earlier one left running.
 */
export interface LocalStackRecord {
  /** The pid of the `npm start` process (node) that owns the stack. */
  launcherPid: number;
  startedAt: string;
  /** Every part has started and every service is ready. */
  ready: boolean;
  /** The variables that point an operator command at this stack (DATABASE_URL, ANSWER_URL, ...). */
  environment: Record<string, string>;
  /** Where each part serves, by name (gateway, console, fcm, ...). */
  urls: Record<string, string>;
  /** The processes the launcher started, each the leader of its own process group. */
  processes: { label: string; pid: number; command: string }[];
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm start` keeps its data: `HARU_DATA_DIR`, by default `<repo>/.data`. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.HARU_DATA_DIR;
  if (!configured) return join(repoRoot, '.data');
  return isAbsolute(configured) ? configured : resolve(configured);
}

export const localStackFile = (dataDir: string): string => join(dataDir, 'stack.json');

/** The record in `dataDir`, or undefined when there is none (or it is unreadable). */
export function readLocalStack(dataDir: string): LocalStackRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(localStackFile(dataDir), 'utf8')) as LocalStackRecord;
    return typeof record.launcherPid === 'number' && typeof record.environment === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The record of a stack whose launcher still runs and whose parts are all up. */
export function runningLocalStack(env: NodeJS.ProcessEnv = process.env): LocalStackRecord | undefined {
  const record = readLocalStack(localDataDir(env));
  return record?.ready && isRunning(record.launcherPid) ? record : undefined;
}

/**
 * For operator commands: when the environment sets none of `settings`, the command uses the
 * local stack `npm start` runs (its variables are put into this process's environment);
 * with none running either, a ConfigError says, in one line, what to start or set. When
 * any of them is set, the environment alone counts.
 */
export function useSettingsOrLocalStack(settings: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  if (settings.some((name) => env[name] !== undefined && env[name] !== '')) return;
  const stack = runningLocalStack(env);
  if (!stack) {
    throw new ConfigError(
      `no local stack is running (start one with \`npm start\`) and none of ${settings.join(', ')} is set`,
    );
  }
  Object.assign(env, stack.environment);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
