// `npm start`: all of haru on one machine with nothing but Node installed. Each part runs
// embedded unless its variable points elsewhere:
//   DATABASE_URL                    an existing PostgreSQL instead of the embedded one
//   AWS_ENDPOINT_URL                another SNS/SQS endpoint (e.g. LocalStack) instead of fauxqs
//   HARU_USE_AWS=1                  real AWS (default credential chain), no endpoint
//   FIREBASE_AUTH_EMULATOR_HOST     another Auth emulator
//   GOOGLE_APPLICATION_CREDENTIALS  real Firebase: no Auth emulator, no local FCM endpoint
//   FCM_ENDPOINT_URL                another FCM-compatible endpoint
// Embedded data lives in HARU_DATA_DIR (default <repo>/.data) and is kept between runs;
// every port can be moved (see stack-settings.ts). SIGINT, SIGTERM, SIGHUP, or the parent
// going away (npm killed), stop every part in order; a watchdog does it should this process
// be killed outright, and the next start stops whatever is still left.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';
import { ConfigError } from '@haru/config';
import type { LocalStackRecord } from '@haru/config/local-stack';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { firebaseCli, startAuthEmulator } from './auth-emulator.ts';
import { claimDataDir, makeDataDir, StackRefusal, type WantedPort } from './claim-data-dir.ts';
import { createDatabaseIfMissing, redactUrl, startEmbeddedPostgres } from './embedded-postgres.ts';
import { startFcmEndpoint } from './fcm-endpoint.ts';
import { freePort } from './free-port.ts';
import { describeExit, exitWithParent, type LaunchedProcess, launchProcess } from './launch-process.ts';
import { startLocalAws } from './local-aws.ts';
import {
  entryPoint,
  launchService,
  migrateServices,
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  services,
  serviceUrl,
  waitUntilReady,
} from './services.ts';
import { removeStackRecord, writeStackRecord } from './stack-record.ts';
import { loadStackSettings, type StackSettings, servicePortSetting } from './stack-settings.ts';
import { waitUntilServing } from './wait-until-serving.ts';

interface Part {
  name: string;
  stop(): Promise<void>;
}

const label = styleText('bold', '[stack]', { stream: process.stdout });
const say = (line: string) => process.stdout.write(`${label} ${line}\n`);
const consoleMain = join(repoRoot, 'shared', 'console', 'src', 'main.ts');
const watchdogScript = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

const parts: Part[] = [];
const running: ServiceProcess[] = [];
let record: LocalStackRecord = {
  launcherPid: process.pid,
  startedAt: new Date().toISOString(),
  ready: false,
  environment: {},
  urls: {},
  processes: [],
};
let dataDir: string | undefined;
let watchdog: LaunchedProcess | undefined;
let shuttingDown = false;
let firstSignalAt = 0;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
// npm passes SIGINT and SIGTERM on (its script `exec`s node, so they reach this process
// rather than a shell that would ignore or die of them) but dies of SIGHUP: when npm goes,
// this process is handed to another parent, and stops as if signalled.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) onSignal('parent gone');
}, 200).unref();

try {
  await start(loadStackSettings());
} catch (error) {
  if (error instanceof ConfigError || error instanceof StackRefusal) {
    // One line, and nothing of this start to stop.
    console.error(error.message);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  say(styleText('red', `start-up failed: ${error instanceof Error ? error.message : String(error)}`));
  await shutdown(1);
}

async function start(settings: StackSettings) {
  const realFirebase = Boolean(settings.GOOGLE_APPLICATION_CREDENTIALS);
  const firebaseProjectId = settings.FIREBASE_PROJECT_ID ?? (realFirebase ? undefined : 'demo-haru');
  if (!firebaseProjectId)
    throw new ConfigError('FIREBASE_PROJECT_ID must name the Firebase project of GOOGLE_APPLICATION_CREDENTIALS');
  const embedded = {
    postgres: !settings.DATABASE_URL,
    fauxqs: !settings.AWS_ENDPOINT_URL && settings.HARU_USE_AWS !== '1',
    authEmulator: !settings.FIREBASE_AUTH_EMULATOR_HOST && !realFirebase,
    fcm: !settings.FCM_ENDPOINT_URL && !realFirebase,
  };
  const wanted: WantedPort[] = [
    ...serviceNames.map((name) => ({
      label: name,
      port: settings[servicePortSetting[name]],
      setting: servicePortSetting[name],
    })),
    { label: 'console', port: settings.CONSOLE_PORT, setting: 'CONSOLE_PORT' },
    ...(embedded.postgres
      ? [{ label: 'PostgreSQL', port: settings.HARU_POSTGRES_PORT, setting: 'HARU_POSTGRES_PORT' }]
      : []),
    ...(embedded.fauxqs ? [{ label: 'fauxqs', port: settings.HARU_FAUXQS_PORT, setting: 'HARU_FAUXQS_PORT' }] : []),
    ...(embedded.authEmulator
      ? [{ label: 'Auth emulator', port: settings.HARU_AUTH_EMULATOR_PORT, setting: 'HARU_AUTH_EMULATOR_PORT' }]
      : []),
    ...(embedded.fcm ? [{ label: 'FCM endpoint', port: settings.HARU_FCM_PORT, setting: 'HARU_FCM_PORT' }] : []),
  ];

  await makeDataDir(settings.dataDir);
  dataDir = settings.dataDir;
  await claimDataDir(dataDir, wanted, say);
  const port = async (fixed: number) => fixed || (await freePort());
  // A port asked to be any free one (0) is drawn just before its part starts: drawn earlier,
  // another process (or an outgoing connection's ephemeral port) may take it meanwhile.
  const ports = {
    postgres: await port(settings.HARU_POSTGRES_PORT),
    fauxqs: await port(settings.HARU_FAUXQS_PORT),
    services: Object.fromEntries(serviceNames.map((name) => [name, settings[servicePortSetting[name]]])) as Record<
      ServiceName,
      number
    >,
  };
  await saveRecord();
  watchdog = launchProcess(process.execPath, [watchdogScript, dataDir], { label: 'watchdog', color: 'gray' });
  remember('watchdog', watchdog.pid, watchdogScript);
  await saveRecord();

  // The parts start at once; the Auth emulator takes a few seconds, the others less.
  const [postgres, localAws, authEmulator, fcmEndpoint] = await allStarted([
    embedded.postgres
      ? startPart('PostgreSQL', async () => {
          const server = await startEmbeddedPostgres({
            dataDir: join(settings.dataDir, 'postgres'),
            port: ports.postgres,
          });
          remember('PostgreSQL', server.pid, join(settings.dataDir, 'postgres'));
          return server;
        })
      : undefined,
    embedded.fauxqs
      ? startPart('SNS/SQS (fauxqs)', () =>
          startLocalAws({ port: ports.fauxqs, dataDir: join(settings.dataDir, 'fauxqs') }),
        )
      : undefined,
    embedded.authEmulator
      ? startPart('Auth emulator', async () => {
          const emulator = await startAuthEmulator({
            port: settings.HARU_AUTH_EMULATOR_PORT,
            projectId: firebaseProjectId,
            workDir: join(settings.dataDir, 'firebase'),
          });
          remember('Auth emulator', emulator.pid, firebaseCli());
          return { stop: () => emulator.stop(3_000), host: emulator.host };
        })
      : undefined,
    embedded.fcm ? startPart('FCM endpoint', () => startFcmEndpoint({ port: settings.HARU_FCM_PORT })) : undefined,
  ]);

  const stack: StackParts = {
    databaseUrl: settings.DATABASE_URL ?? (await createDatabaseIfMissing(required(postgres).url, 'haru')),
    internalApiToken: settings.INTERNAL_API_TOKEN ?? randomBytes(24).toString('base64url'),
    awsRegion: settings.AWS_REGION,
    retentionDays: settings.RETENTION_DAYS,
    awsEndpointUrl: settings.HARU_USE_AWS === '1' ? undefined : (settings.AWS_ENDPOINT_URL ?? localAws?.url),
    topologyPrefix: settings.HARU_TOPOLOGY_PREFIX,
    firebaseProjectId,
    authEmulatorHost: settings.FIREBASE_AUTH_EMULATOR_HOST ?? authEmulator?.host,
    fcmEndpointUrl: settings.FCM_ENDPOINT_URL ?? fcmEndpoint?.url,
    ports: ports.services,
  };

  // Idempotent: converges an existing topic and queues to the declaration in @haru/messaging.
  const awsClients = createAwsClients({ AWS_REGION: settings.AWS_REGION, AWS_ENDPOINT_URL: stack.awsEndpointUrl });
  await applyTopology(awsClients, settings.HARU_TOPOLOGY_PREFIX, { retentionDays: stack.retentionDays });
  awsClients.sns.destroy();
  awsClients.sqs.destroy();
  say(`topology ${settings.HARU_TOPOLOGY_PREFIX} applied`);

  const environment = (name: ServiceName) => ({
    ...serviceEnvironment(name, stack),
    CONSUMER_WAIT_TIME_SECONDS: String(settings.CONSUMER_WAIT_TIME_SECONDS),
  });
  await migrateServices(serviceNames, environment);
  say(`migrated ${serviceNames.filter((name) => services[name].database).join(', ')}`);

  for (const name of serviceNames) ports.services[name] = await port(ports.services[name]);
  for (const name of serviceNames) {
    const service = launchService(name, environment(name), { prioritised: true });
    running.push(service);
    remember(name, service.pid, entryPoint(name, 'main'));
    stopOnUnexpectedExit(service);
  }
  await saveRecord();
  await Promise.all(running.map((service) => waitUntilReady(service, { timeoutMs: 60_000 })));

  const operatorEnvironment = toolEnvironment(stack);
  const consolePort = await port(settings.CONSOLE_PORT);
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const consoleProcess = launchProcess(process.execPath, [...exitWithParent, consoleMain], {
    label: 'console',
    color: 'white',
    cwd: repoRoot,
    env: { ...operatorEnvironment, CONSOLE_PORT: String(consolePort), LOG_LEVEL: undefined },
  });
  running.push(Object.assign(consoleProcess, { name: 'console' as ServiceName, url: consoleUrl }));
  remember('console', consoleProcess.pid, consoleMain);
  stopOnUnexpectedExit(consoleProcess);
  await waitUntilServing(consoleProcess, `${consoleUrl}/healthz`, { timeoutMs: 30_000 });

  const urls: Record<string, string> = {
    console: consoleUrl,
    ...Object.fromEntries(serviceNames.map((name) => [name, serviceUrl(name, stack)])),
    ...(stack.fcmEndpointUrl ? { fcm: stack.fcmEndpointUrl } : {}),
    ...(stack.authEmulatorHost ? { authEmulator: `http://${stack.authEmulatorHost}` } : {}),
    ...(stack.awsEndpointUrl ? { sqs: stack.awsEndpointUrl } : {}),
  };
  record = { ...record, ready: true, environment: operatorEnvironment, urls };
  await saveRecord();
  printSummary(stack, consoleUrl);
}

/** The variables that point an operator command (and the console) at this stack. */
function toolEnvironment(stack: StackParts): Record<string, string> {
  const local = stack.awsEndpointUrl !== undefined;
  const entries: [string, string | undefined][] = [
    ['DATABASE_URL', stack.databaseUrl],
    ['INTERNAL_API_TOKEN', stack.internalApiToken],
    ...serviceNames.map((name): [string, string] => [`${name.toUpperCase()}_URL`, serviceUrl(name, stack)]),
    ['AWS_REGION', stack.awsRegion],
    ['AWS_ENDPOINT_URL', stack.awsEndpointUrl],
    ['AWS_ACCESS_KEY_ID', local ? 'test' : undefined],
    ['AWS_SECRET_ACCESS_KEY', local ? 'test' : undefined],
    ['HARU_TOPOLOGY_PREFIX', stack.topologyPrefix],
    ['FIREBASE_PROJECT_ID', stack.firebaseProjectId],
    ['FIREBASE_AUTH_EMULATOR_HOST', stack.authEmulatorHost],
    ['FCM_ENDPOINT_URL', stack.fcmEndpointUrl],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function remember(name: string, pid: number, command: string) {
  record.processes.push({ label: name, pid, command });
}

async function saveRecord() {
  if (dataDir) await writeStackRecord(dataDir, record);
}

function stopOnUnexpectedExit(launched: LaunchedProcess) {
  // One service down leaves the others waiting for events that never come, which is
  // harder to notice than a stack that stops: so any unexpected exit stops everything.
  void launched.exited.then((status) => {
    if (shuttingDown) return;
    say(styleText('red', `${launched.label} ${describeExit(status)} unexpectedly; stopping the stack`));
    void shutdown(1);
  });
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

function printSummary(stack: StackParts, consoleUrl: string) {
  const rows: [string, string][] = [
    ['gateway (the app API)', serviceUrl('gateway', stack)],
    ['console (pushes, families)', consoleUrl],
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
  const width = Math.max(...rows.map(([name]) => name.length));
  say(styleText('green', `haru is running (Ctrl-C stops it; pid ${process.pid}):`));
  for (const [name, value] of rows) say(`  ${name.padEnd(width)}  ${value}`);
}

/**
 * A terminal's Ctrl-C reaches this process and npm, which passes SIGINT on: the two
 * arrive together and count as one. A signal a second or more after the first kills
 * whatever is left.
 */
function onSignal(signal: string) {
  if (!shuttingDown) {
    firstSignalAt = Date.now();
    void shutdown(0, signal);
  } else if (Date.now() - firstSignalAt > 1_000 && signal !== 'parent gone') {
    say(`${signal} again: killing what is left`);
    void Promise.all(running.map((service) => service.kill())).then(() => process.exit(1));
  }
}

/**
 * Stops the services first (they drain their consumers and outbox relays), then the parts
 * they used, in reverse order of start; then the record and the watchdog go.
 */
async function shutdown(code: number, signal?: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (signal) say(`${signal}: stopping`);
  await Promise.all(running.map((service) => service.stop(3_500)));
  for (const part of parts.reverse()) {
    await part.stop().catch((error: unknown) => say(`stopping ${part.name} failed: ${String(error)}`));
  }
  if (dataDir) await removeStackRecord(dataDir, process.pid);
  await watchdog?.stop(1_000);
  say('stopped');
  process.exit(code);
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a part that should have started did not');
  return value;
}
