import { randomBytes } from 'node:crypto';
import {
  freeServicePorts,
  launchService,
  migrateServices,
  type ServiceEnvironment,
  type ServiceName,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  waitUntilServing,
} from '@haru/dev-stack';
import type { BenchStack } from './bench-stack.ts';

export interface BenchServices {
  parts: StackParts;
  url(name: ServiceName): string;
  /** The service's process id, for CPU accounting. */
  pid(name: ServiceName): number;
  /** The variables each running service was started with on top of the defaults. */
  overrides(): Partial<Record<ServiceName, ServiceEnvironment>>;
  /** Stops one service and starts it again with other variables (e.g. a shorter tick). */
  restart(name: ServiceName, environment: ServiceEnvironment): Promise<void>;
  recentLogs(): string;
  stop(): Promise<void>;
}

/**
 * haru's services as their own processes (`node services/<name>/src/main.ts`, as in
 * production), on a bench stack: migrated, each on a free port, every one serving.
 */
export async function startBenchServices(
  stack: BenchStack,
  {
    only = serviceNames,
    environment = () => ({}),
    onOutput = () => {},
    stopTimeoutMs = 1000,
    logLevel = 'warn',
  }: {
    only?: readonly ServiceName[];
    environment?: (name: ServiceName) => ServiceEnvironment;
    /** Receives every line each running service writes (its JSON log lines). */
    onOutput?: (name: ServiceName, line: string) => void;
    /**
     * A graceful stop waits for each consumer's long poll (10 s by default); a benchmark's
     * data is thrown away, so by default a service gets a second to stop before it is killed.
     */
    stopTimeoutMs?: number;
    /** Every service's LOG_LEVEL: `warn` unless a benchmark measures what its lines cost too. */
    logLevel?: string;
  } = {},
): Promise<BenchServices> {
  const ports = await freeServicePorts();
  const parts: StackParts = {
    databaseUrl: stack.databaseUrl,
    internalApiToken: randomBytes(24).toString('base64url'),
    awsRegion: stack.awsRegion,
    awsEndpointUrl: stack.awsEndpointUrl,
    topologyPrefix: stack.topologyPrefix,
    firebaseProjectId: 'demo-haru',
    authEmulatorHost: stack.authEmulatorHost,
    fcmEndpointUrl: stack.fcmEndpointUrl,
    ports,
    logLevel,
  };
  const overrides = new Map<ServiceName, ServiceEnvironment>(only.map((name) => [name, environment(name)]));
  const env = (name: ServiceName) => ({ ...serviceEnvironment(name, parts), ...overrides.get(name) });
  const quiet = { output: () => {} };

  await migrateServices(only, env, () => quiet);
  const running = new Map<ServiceName, ServiceProcess>();
  const launch = async (name: ServiceName) => {
    const service = launchService(name, env(name), { output: (line) => onOutput(name, line), prioritised: true });
    running.set(name, service);
    // /healthz, not /readyz: the gateway is ready only when every service behind it is,
    // and a benchmark may run only some of them.
    await waitUntilServing(service, `${service.url}/healthz`, { timeoutMs: 60_000 });
  };
  const stop = () => Promise.all([...running.values()].map((service) => service.stop(stopTimeoutMs))).then(() => {});
  try {
    await Promise.all(only.map(launch));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    parts,
    url(name) {
      const service = running.get(name);
      if (!service) throw new Error(`${name} is not running in this benchmark`);
      return service.url;
    },
    pid: (name) => running.get(name)?.pid ?? -1,
    overrides: () => Object.fromEntries(overrides),
    async restart(name, environment) {
      // Gracefully: a consumer killed during a long poll could leave the next message it was
      // handed invisible for the visibility timeout.
      await running.get(name)?.stop(30_000);
      overrides.set(name, environment);
      await launch(name);
    },
    recentLogs: () =>
      [...running.values()].map((service) => `--- ${service.name}\n${service.recentOutput().join('\n')}`).join('\n'),
    stop,
  };
}
