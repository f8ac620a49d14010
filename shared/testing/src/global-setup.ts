// The parts every test suite shares, started once per `node --test` run by
// `--test-global-setup=shared/testing/src/global-setup.ts`. The variables set here reach
// every test file's process; each file then makes its own database, topology prefix,
// users and device tokens, so files can run in parallel on the same parts.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startAuthEmulator, startEmbeddedPostgres, startFcmEndpoint, startLocalAws } from '@haru/dev-stack';

const firebaseProjectId = 'demo-haru';
let root: string | undefined;
let running: { stop(): Promise<void> }[] = [];

export async function globalSetup(): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'haru-test-'));
  // When tests run as root, PostgreSQL runs as the `postgres` user, which must enter this directory.
  await chmod(root, 0o755);
  const postgres = startEmbeddedPostgres({
    dataDir: join(root, 'postgres'),
    port: await freePort(),
    // A throw-away cluster: durability buys nothing here, speed does.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  const localAws = startLocalAws({ port: 0 });
  const authEmulator = startAuthEmulator({ port: 0, projectId: firebaseProjectId, workDir: join(root, 'firebase') });
  const fcmEndpoint = startFcmEndpoint({ port: 0 });

  const results = await Promise.allSettled([postgres, localAws, authEmulator, fcmEndpoint]);
  running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length > 0) {
    await globalTeardown();
    throw new AggregateError(failures, `the test stack did not start: ${failures.map(String).join('; ')}`);
  }

  Object.assign(process.env, {
    HARU_TEST_DATABASE_URL: (await postgres).url,
    AWS_ENDPOINT_URL: (await localAws).url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    FIREBASE_AUTH_EMULATOR_HOST: (await authEmulator).host,
    FIREBASE_PROJECT_ID: firebaseProjectId,
    HARU_TEST_FCM_URL: (await fcmEndpoint).url,
  });
}

export async function globalTeardown(): Promise<void> {
  await Promise.allSettled(running.map((part) => part.stop()));
  running = [];
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
}
