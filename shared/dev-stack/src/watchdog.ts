// Started by `npm start` in a process group of its own: should the launcher die without
// stopping its parts (SIGKILL, a crash), this stops them in the launcher's order. The node
// processes stop by themselves when their parent goes (exit-with-parent.ts); PostgreSQL
// is no node process, so this waits for them and then shuts PostgreSQL down, and removes
// the stack's record. The launcher ends it with SIGTERM once it has stopped everything.
//   node shared/dev-stack/src/watchdog.ts <data dir>

import { rm } from 'node:fs/promises';
import { localStackFile, readLocalStack } from '@haru/config/local-stack';
import { stopLeftovers } from './leftovers.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: watchdog.ts <data dir>');
  process.exit(2);
}
const launcher = process.ppid;
const say = (line: string) => console.log(line);

const watch = setInterval(async () => {
  if (process.ppid === launcher) return;
  clearInterval(watch);
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const record = readLocalStack(dataDir);
  await stopLeftovers(dataDir, record, { graceMs: 6_000, say });
  if (record?.launcherPid === launcher) await rm(localStackFile(dataDir), { force: true });
  process.exit(0);
}, 200);
