import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';
import {
  describeExit,
  exitWithParent,
  type LabelColor,
  type LaunchedProcess,
  launchProcess,
} from './launch-process.ts';
import { type WaitUntilServingOptions, waitUntilServing } from './wait-until-serving.ts';

export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * haru's services, their default internal ports, whether they own a database schema, and the
 * nice value each runs at where they share one machine (see `LaunchServiceOptions.prioritised`):
 * the notifier sends a burst of pushes as fast as the cores allow, and would otherwise take them
 * from the services that answer the app (docs/decisions/0014).
 */
export const services = {
  gateway: { port: 8080, database: false, color: 'cyan', nice: 0 },
  answer: { port: 8081, database: true, color: 'green', nice: 0 },
  projection: { port: 8082, database: true, color: 'yellow', nice: 0 },
  scheduler: { port: 8083, database: true, color: 'magenta', nice: 0 },
  notifier: { port: 8084, database: true, color: 'blue', nice: 10 },
} as const satisfies Record<string, { port: number; database: boolean; color: LabelColor; nice: number }>;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

/** Where the parts the services depend on are; absent optional parts mean the real cloud ones. */
export interface StackParts {
  /** One database for all; each service keeps to its own schema in it. */
  databaseUrl: string;
  internalApiToken: string;
  awsRegion?: string | undefined;
  /** fauxqs or LocalStack; absent means real AWS with the default credential chain. */
  awsEndpointUrl?: string | undefined;
  topologyPrefix?: string | undefined;
  firebaseProjectId?: string | undefined;
  /** `host:port` of the Auth emulator; absent means real Firebase Auth. */
  authEmulatorHost?: string | undefined;
  /** The local FCM endpoint; absent means real FCM. */
  fcmEndpointUrl?: string | undefined;
  /** Ports by service, instead of the defaults (tests pass free ports). */
  ports?: Partial<Record<ServiceName, number>> | undefined;
  logLevel?: string | undefined;
  /** RETENTION_DAYS of the services with a database, as the queues were given it (default 30). */
  retentionDays?: number | undefined;
}

/** Variables to add to a service's environment; `undefined` removes an inherited one. */
export type ServiceEnvironment = Record<string, string | undefined>;

export const servicePort = (name: ServiceName, parts: Pick<StackParts, 'ports'>): number =>
  parts.ports?.[name] ?? services[name].port;

export const serviceUrl = (name: ServiceName, parts: Pick<StackParts, 'ports'>): string =>
  `http://127.0.0.1:${servicePort(name, parts)}`;

/**
 * The one place that says which variable each service reads and where it points, used by
 * `npm start` and by the end-to-end tests alike.
 */
export function serviceEnvironment(name: ServiceName, parts: StackParts): ServiceEnvironment {
  const local = parts.awsEndpointUrl !== undefined;
  const firebaseProjectId = parts.firebaseProjectId ?? 'demo-haru';
  const common: ServiceEnvironment = {
    DATABASE_URL: services[name].database ? parts.databaseUrl : undefined,
    RETENTION_DAYS: services[name].database ? String(parts.retentionDays ?? 30) : undefined,
    AWS_REGION: parts.awsRegion ?? 'us-east-1',
    AWS_ENDPOINT_URL: parts.awsEndpointUrl,
    // Local endpoints get dummy keys, so that real credentials are never sent to them.
    ...(local ? { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SESSION_TOKEN: undefined } : {}),
    HARU_TOPOLOGY_PREFIX: parts.topologyPrefix ?? 'haru',
    INTERNAL_API_TOKEN: parts.internalApiToken,
    PORT: String(servicePort(name, parts)),
    HOST: '127.0.0.1',
    LOG_LEVEL: parts.logLevel ?? process.env.LOG_LEVEL ?? 'info',
  };
  switch (name) {
    case 'gateway':
      return {
        ...common,
        ANSWER_URL: serviceUrl('answer', parts),
        PROJECTION_URL: serviceUrl('projection', parts),
        SCHEDULER_URL: serviceUrl('scheduler', parts),
        NOTIFIER_URL: serviceUrl('notifier', parts),
        FIREBASE_PROJECT_ID: firebaseProjectId,
        FIREBASE_AUTH_EMULATOR_HOST: parts.authEmulatorHost,
      };
    case 'notifier':
      return { ...common, FIREBASE_PROJECT_ID: firebaseProjectId, FCM_ENDPOINT_URL: parts.fcmEndpointUrl };
    case 'scheduler':
      return { ...common, PROJECTION_URL: serviceUrl('projection', parts) };
    case 'answer':
    case 'projection':
      return common;
    default: {
      const unknown: never = name;
      throw new Error(`unknown service ${String(unknown)}`);
    }
  }
}

export interface ServiceProcess extends LaunchedProcess {
  readonly name: ServiceName;
  /** Where it serves, e.g. http://127.0.0.1:8081. */
  readonly url: string;
}

export interface LaunchServiceOptions {
  /** Receives each output line; by default lines go to stdout behind a coloured `[name]` label. */
  output?: (line: string) => void;
  /**
   * Runs the service at its nice value (`services`), as `npm start` and the benchmarks do. A
   * test's stack is one of several on the machine at once, and its services run at the normal
   * priority: yielding to another test's processes would only make a test slower.
   */
  prioritised?: boolean;
}

/** Starts `node services/<name>/src/main.ts` with the given variables added to this environment. */
export function launchService(
  name: ServiceName,
  env: ServiceEnvironment,
  { output, prioritised = false }: LaunchServiceOptions = {},
): ServiceProcess {
  const launched = launchProcess(process.execPath, [...exitWithParent, entryPoint(name, 'main')], {
    label: name,
    color: services[name].color,
    cwd: repoRoot,
    env,
    ...(output ? { output } : {}),
    ...(prioritised && services[name].nice !== 0 ? { nice: services[name].nice } : {}),
  });
  return Object.assign(launched, { name, url: `http://127.0.0.1:${env.PORT ?? services[name].port}` });
}

/** Waits until the service answers `GET /readyz` with 200; fails early if it exits. */
export function waitUntilReady(service: ServiceProcess, options?: WaitUntilServingOptions): Promise<void> {
  return waitUntilServing(service, `${service.url}/readyz`, options);
}

/** Runs `node services/<name>/src/migrate.ts` to completion; fails with its output unless it succeeds. */
export async function runMigrations(
  name: ServiceName,
  env: ServiceEnvironment,
  { output }: LaunchServiceOptions = {},
): Promise<void> {
  const migration = launchProcess(process.execPath, [...exitWithParent, entryPoint(name, 'migrate')], {
    label: `${name}:migrate`,
    color: services[name].color,
    cwd: repoRoot,
    env,
    ...(output ? { output } : {}),
  });
  const status = await migration.exited;
  if (status.code !== 0) {
    throw new Error(`migrations of ${name} ${describeExit(status)}:\n${migration.recentOutput().join('\n')}`);
  }
}

export const entryPoint = (name: ServiceName, file: 'main' | 'migrate'): string =>
  join(repoRoot, 'services', name, 'src', `${file}.ts`);

/** A free port for every service, for a stack that must not collide with another on this machine. */
export async function freeServicePorts(): Promise<Record<ServiceName, number>> {
  const ports = {} as Record<ServiceName, number>;
  for (const name of serviceNames) ports[name] = await freePort();
  return ports;
}

/** Migrates, at once, the schema of each of `names` that owns one. */
export async function migrateServices(
  names: readonly ServiceName[],
  env: (name: ServiceName) => ServiceEnvironment,
  options: (name: ServiceName) => LaunchServiceOptions = () => ({}),
): Promise<void> {
  await Promise.all(
    names.filter((name) => services[name].database).map((name) => runMigrations(name, env(name), options(name))),
  );
}
