import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@haru/config';
import { type LocalStackRecord, readLocalStack } from '@haru/config/local-stack';
import { stopLeftovers } from './leftovers.ts';
import { commandLine, isAlive, portHolder, portIsFree } from './process-info.ts';

/** A reason not to start, said in one line. */
export class StackRefusal extends Error {
  override name = 'StackRefusal';
}

export interface WantedPort {
  /** The part that would listen there. */
  label: string;
  port: number;
  /** The variable that moves it. */
  setting: string;
}

/**
 * Makes the data directory (HARU_DATA_DIR) and what it lacks above it, or says in one line
 * why it cannot. Each missing directory is made in turn from the nearest one that exists:
 * Node's recursive mkdir retries for ever, without a word, where a parent exists but will not
 * hold the child (a path under /proc, a dangling symbolic link).
 */
export async function makeDataDir(dataDir: string): Promise<void> {
  const cannot = (reason: string) =>
    new ConfigError(`HARU_DATA_DIR: ${dataDir} cannot be made a directory (${reason})`);
  const missing: string[] = [];
  for (let at = resolve(dataDir); !(await exists(at)); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  try {
    for (const directory of missing) await mkdir(directory).catch(unlessExists);
    if (!(await stat(dataDir)).isDirectory()) throw cannot('ENOTDIR');
    // As root PostgreSQL runs as `postgres`, which must enter the data directory.
    if (process.getuid?.() === 0) await chmod(dataDir, 0o755);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw cannot(error instanceof Error && 'code' in error ? String(error.code) : String(error));
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

const unlessExists = (error: unknown) => {
  if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
};

/**
 * Makes `dataDir` and the ports this stack's own. A stack still running from `dataDir` is
 * left alone (refused); what a dead one left behind is stopped; a port something else
 * holds is refused naming the process and the way out.
 */
export async function claimDataDir(
  dataDir: string,
  ports: readonly WantedPort[],
  say: (line: string) => void,
): Promise<LocalStackRecord | undefined> {
  const previous = readLocalStack(dataDir);
  if (previous && isAlive(previous.launcherPid)) {
    const command = await commandLine(previous.launcherPid);
    if (command?.includes('dev-stack/src/start.ts')) {
      const where = previous.urls.gateway ? `, gateway ${previous.urls.gateway}` : '';
      throw new StackRefusal(
        `haru is already running from ${dataDir} (pid ${previous.launcherPid}${where}): use that one, or stop it with \`kill ${previous.launcherPid}\` (Ctrl-C in its terminal)`,
      );
    }
  }
  await stopLeftovers(dataDir, previous, { graceMs: 8_000, say });

  const held: { wanted: WantedPort; pid: number | undefined; command: string | undefined }[] = [];
  for (const wanted of ports) {
    if (wanted.port === 0 || (await portIsFree(wanted.port))) continue;
    const pid = await portHolder(wanted.port);
    held.push({ wanted, pid, command: pid ? await commandLine(pid) : undefined });
  }
  if (held.length > 0) {
    const holders = held.map(({ wanted, pid, command }) => {
      const by = pid ? `pid ${pid}${command ? ` (${shorten(command)})` : ''}` : 'another process';
      return `port ${wanted.port} (${wanted.label}) is held by ${by}`;
    });
    const pids = [...new Set(held.flatMap(({ pid }) => (pid ? [pid] : [])))];
    const stop = pids.length > 0 ? `stop it (\`kill ${pids.join(' ')}\`)` : 'stop what holds it';
    const settings = held.map(({ wanted }) => `${wanted.setting}=0`).join(' ');
    throw new StackRefusal(`cannot start: ${holders.join('; ')}; ${stop}, or move haru's part (e.g. ${settings})`);
  }
  return previous;
}

function shorten(command: string): string {
  return command.length > 80 ? `${command.slice(0, 77)}...` : command;
}
