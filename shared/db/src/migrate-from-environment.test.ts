import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('when a migration is started with a DATABASE_URL that would not verify TLS, then it exits 2 with one line naming it', () => {
  // A service's migrate.ts, as its container runs it.
  const migrate = `import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)}).then((db) => db.migrateFromEnvironment('answer', 'answer', {}))`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', migrate], {
    env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://haru@database.internal/haru?sslmode=require' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 2);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    'answer migrate: invalid configuration: DATABASE_URL: sslmode=require would not verify the server: use sslmode=verify-full (or no sslmode, without TLS)',
  ]);
});

test('when a migration is started with its database out of reach and may not wait, then it exits 1 with one line naming DATABASE_URL', () => {
  const migrate = `import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)}).then((db) => db.migrateFromEnvironment('answer', 'answer', {}))`;
  // Port 1 is reserved (tcpmux) and never listened on here.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', migrate], {
    env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://haru:secret@127.0.0.1:1/haru', DATABASE_WAIT_MS: '0' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 1, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    'answer migrate: cannot reach PostgreSQL at 127.0.0.1:1/haru (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1',
  ]);
});
