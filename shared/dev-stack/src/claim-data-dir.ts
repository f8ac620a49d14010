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
