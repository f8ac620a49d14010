// `npm start`: all of haru on one machine with nothing but Node installed. Each part runs
// embedded unless its variable points elsewhere:
//   DATABASE_URL                    an existing PostgreSQL instead of the embedded one
//   AWS_ENDPOINT_URL                another SNS/SQS endpoint (e.g. LocalStack) instead of fauxqs
//   HARU_USE_AWS=1                  real AWS (default credential chain), no endpoint
//   FIREBASE_AUTH_EMULATOR_HOST     another Auth emulator
//   GOOGLE_APPLICATION_CREDENTIALS  real Firebase: no Auth emulator, no local FCM endpoint
//   FCM_ENDPOINT_URL                another FCM-compatible endpoint
// Embedded data lives in <repo>/.data and is kept between runs.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { styleText } from 'node:util';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { startAuthEmulator } from './auth-emulator.ts';
import { createDatabaseIfMissing, redactUrl, startEmbeddedPostgres } from './embedded-postgres.ts';
import { startFcmEndpoint } from './fcm-endpoint.ts';
import { describeExit } from './launch-process.ts';
import { startLocalAws } from './local-aws.ts';
import {
  launchService,
  migrateServices,
  repoRoot,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  services,
  serviceUrl,
  waitUntilReady,
} from './services.ts';

interface Part {
  name: string;
  stop(): Promise<void>;
}

const env = process.env;
const dataDir = join(repoRoot, '.data');
const label = styleText('bold', '[stack]', { stream: process.stdout });
const say = (line: string) => process.stdout.write(`${label} ${line}\n`);

const parts: Part[] = [];
const running: ServiceProcess[] = [];
let shuttingDown = false;

process.on('SIGINT', () => shutdown(0, 'SIGINT'));
process.on('SIGTERM', () => shutdown(0, 'SIGTERM'));

try {
  await start();
} catch (error) {
  say(styleText('red', `start-up failed: ${error instanceof Error ? error.message : String(error)}`));
  await shutdown(1);
}

async function start() {
  const realFirebase = Boolean(env.GOOGLE_APPLICATION_CREDENTIALS);
  const firebaseProjectId = env.FIREBASE_PROJECT_ID ?? (realFirebase ? undefined : 'demo-haru');
  if (!firebaseProjectId) {
    throw new Error('FIREBASE_PROJECT_ID must name the Firebase project when using real Firebase');
  }

  // The parts start at once; the Auth emulator takes a few seconds, the others less.
  const [postgres, localAws, authEmulator, fcmEndpoint] = await allStarted([
    env.DATABASE_URL
      ? undefined
      : startPart('PostgreSQL', () => startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: 5432 })),
    env.AWS_ENDPOINT_URL || env.HARU_USE_AWS === '1'
      ? undefined
      : startPart('SNS/SQS (fauxqs)', () => startLocalAws({ port: 4566, dataDir: join(dataDir, 'fauxqs') })),
    env.FIREBASE_AUTH_EMULATOR_HOST || realFirebase
      ? undefined
      : startPart('Auth emulator', () =>
          startAuthEmulator({ port: 9099, projectId: firebaseProjectId, workDir: join(dataDir, 'firebase') }),
        ),
    env.FCM_ENDPOINT_URL || realFirebase
      ? undefined
      : startPart('FCM endpoint', () => startFcmEndpoint({ port: 4010 })),
  ]);

  const stack: StackParts = {
    databaseUrl: env.DATABASE_URL ?? (await createDatabaseIfMissing(required(postgres).url, 'haru')),
    internalApiToken: env.INTERNAL_API_TOKEN ?? randomBytes(24).toString('base64url'),
    awsRegion: env.AWS_REGION ?? 'us-east-1',
    awsEndpointUrl: env.HARU_USE_AWS === '1' ? undefined : (env.AWS_ENDPOINT_URL ?? localAws?.url),
    topologyPrefix: env.HARU_TOPOLOGY_PREFIX ?? 'haru',
    firebaseProjectId,
    authEmulatorHost: env.FIREBASE_AUTH_EMULATOR_HOST ?? authEmulator?.host,
    fcmEndpointUrl: env.FCM_ENDPOINT_URL ?? fcmEndpoint?.url,
  };

  // Idempotent: converges an existing topic and queues to the declaration in @haru/messaging.
  const awsClients = createAwsClients({
    AWS_REGION: stack.awsRegion ?? 'us-east-1',
    AWS_ENDPOINT_URL: stack.awsEndpointUrl,
  });
  await applyTopology(awsClients, stack.topologyPrefix ?? 'haru');
  awsClients.sns.destroy();
  awsClients.sqs.destroy();
  say(`topology ${stack.topologyPrefix} applied`);

  await migrateServices(serviceNames, (name) => serviceEnvironment(name, stack));
  say(`migrated ${serviceNames.filter((name) => services[name].database).join(', ')}`);

  for (const name of serviceNames) {
    const service = launchService(name, serviceEnvironment(name, stack));
    running.push(service);
    // One service down leaves the others waiting for events that never come, which is
    // harder to notice than a stack that stops: so any unexpected exit stops everything.
    void service.exited.then((status) => {
      if (shuttingDown) return;
      say(styleText('red', `${name} ${describeExit(status)} unexpectedly; stopping the stack`));
      void shutdown(1);
    });
  }
  await Promise.all(running.map((service) => waitUntilReady(service, { timeoutMs: 60_000 })));

  printSummary(stack, fcmEndpoint?.url);
}

async function startPart<T extends { stop(): Promise<void> }>(name: string, start: () => Promise<T>): Promise<T> {
  say(`starting ${name}`);
  const part = await start();
  parts.push({ name, stop: () => part.stop() });
  return part;
}

/** Like Promise.all, but waits for every start to settle, so that all started parts get stopped. */
async function allStarted<T extends readonly unknown[]>(
  starting: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length > 0) {
    throw new Error(
      failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join('\n'),
    );
  }
  return results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

function printSummary(stack: StackParts, fcmUrl: string | undefined) {
  const rows: [string, string][] = [
    ['gateway (the app API)', serviceUrl('gateway', stack)],
    ...serviceNames
      .filter((name) => name !== 'gateway')
      .map((name): [string, string] => [name, serviceUrl(name, stack)]),
    ['PostgreSQL', redactUrl(stack.databaseUrl)],
    ['SNS/SQS', stack.awsEndpointUrl ?? `AWS ${stack.awsRegion}`],
    ['topology prefix', stack.topologyPrefix ?? 'haru'],
    ['Firebase project', stack.firebaseProjectId ?? ''],
    ['Auth emulator', stack.authEmulatorHost ?? 'none (real Firebase Auth)'],
    ['FCM endpoint', stack.fcmEndpointUrl ?? 'none (real FCM)'],
  ];
  if (fcmUrl) rows.push(['pushes sent', `${fcmUrl}/messages`]);
  const width = Math.max(...rows.map(([name]) => name.length));
  say(styleText('green', 'haru is running (Ctrl-C stops it):'));
  for (const [name, value] of rows) say(`  ${name.padEnd(width)}  ${value}`);
}

/**
 * Stops the services first (they drain their consumers and outbox relays), then the parts
 * they used, in reverse order of start. A second signal kills whatever is left.
 * A Ctrl-C in the terminal also reaches the embedded PostgreSQL directly (embedded-postgres
 * starts it in this process group), so it may stop before the services have drained.
 */
async function shutdown(code: number, signal?: string) {
  if (shuttingDown) {
    if (signal) {
      say(`${signal} again: killing what is left`);
      await Promise.all(running.map((service) => service.kill()));
      process.exit(1);
    }
    return;
  }
  shuttingDown = true;
  if (signal) say(`${signal}: stopping`);
  await Promise.all(running.map((service) => service.stop(30_000)));
  for (const part of parts.reverse()) {
    await part.stop().catch((error: unknown) => say(`stopping ${part.name} failed: ${String(error)}`));
  }
  say('stopped');
  process.exit(code);
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a part that should have started did not');
  return value;
}
