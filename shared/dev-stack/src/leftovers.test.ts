import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { freePort } from './free-port.ts';
import { stopLeftovers } from './leftovers.ts';
import { isAlive, portIsFree } from './process-info.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'haru-leftovers-'));
  await chmod(root, 0o755);
});
after(() => rm(root, { recursive: true, force: true }));

const quiet = { graceMs: 0, say: () => {} };

it('when a PostgreSQL of the data directory outlived its launcher, then it is shut down', async () => {
  const dataDir = join(root, 'orphan');
  const port = await freePort();
  const orphan = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port });
  const said: string[] = [];

  await stopLeftovers(dataDir, undefined, { graceMs: 0, say: (line) => said.push(line) });

  assert.ok(!isAlive(orphan.pid), 'the server is gone');
  assert.ok(await portIsFree(port));
  assert.match(said.join('\n'), new RegExp(`stopping PostgreSQL \\(pid ${orphan.pid}\\)`));
});

it('when postmaster.pid names a process that is not that server (after a crash), then the file is removed and that process left alone', async () => {
  const dataDir = join(root, 'crashed');
  await mkdir(join(dataDir, 'postgres'), { recursive: true });
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  await writeFile(pidFile, `${process.pid}\n${join(dataDir, 'postgres')}\n`);

  await stopLeftovers(dataDir, undefined, quiet);

  assert.ok(!existsSync(pidFile));
  assert.ok(isAlive(process.pid));
});

it('when a recorded pid now belongs to another program, then it is left alone', async () => {
  const record = {
    launcherPid: 999_999,
    startedAt: new Date().toISOString(),
    ready: true,
    environment: {},
    urls: {},
    processes: [{ label: 'gateway', pid: process.ppid, command: 'services/gateway/src/main.ts' }],
  };

  await stopLeftovers(join(root, 'reused'), record, quiet);

  assert.ok(isAlive(process.ppid));
});
