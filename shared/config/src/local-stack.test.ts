import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { ConfigError } from './load-config.ts';
import { type LocalStackRecord, localStackFile, useSettingsOrLocalStack } from './local-stack.ts';

let dataDir = '';
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'haru-local-stack-'));
});
after(() => rm(dataDir, { recursive: true, force: true }));

const record = (launcherPid: number): LocalStackRecord => ({
  launcherPid,
  startedAt: new Date().toISOString(),
  ready: true,
  environment: { DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5999/haru' },
  urls: {},
  processes: [],
});

it('when a setting is given, then the environment alone counts', () => {
  const env: NodeJS.ProcessEnv = { HARU_DATA_DIR: dataDir, DATABASE_URL: 'postgres://elsewhere/haru' };

  useSettingsOrLocalStack(['DATABASE_URL', 'ANSWER_URL'], env);

  assert.equal(env.DATABASE_URL, 'postgres://elsewhere/haru');
});

it('when nothing is set and a stack runs, then its variables are used', async () => {
  await writeFile(localStackFile(dataDir), JSON.stringify(record(process.pid)), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { HARU_DATA_DIR: dataDir };

  useSettingsOrLocalStack(['DATABASE_URL'], env);

  assert.equal(env.DATABASE_URL, 'postgres://postgres:postgres@127.0.0.1:5999/haru');
  assert.equal((await stat(localStackFile(dataDir))).mode & 0o777, 0o600);
});

it('when nothing is set and the recorded launcher is gone, then one line says to start a stack or set a variable', async () => {
  await writeFile(localStackFile(dataDir), JSON.stringify(record(2 ** 22 + 1)));

  assert.throws(
    () => useSettingsOrLocalStack(['DATABASE_URL', 'ANSWER_URL'], { HARU_DATA_DIR: dataDir }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message ===
        'no local stack is running (start one with `npm start`) and none of DATABASE_URL, ANSWER_URL is set',
  );
});
