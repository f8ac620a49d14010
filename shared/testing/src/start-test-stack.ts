import {
  launchService,
  migrateServices,
  type ServiceEnvironment,
  type ServiceName,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  waitUntilReady,
} from '@haru/dev-stack';
import { type AppliedTopology, type AwsClients, applyTopology, createAwsClients } from '@haru/messaging';
import type { Topic } from './publish-event.ts';
import { testStackParts } from './test-stack-parts.ts';
import { verifyProjection } from './verify-projection.ts';

export interface TestStack {
  parts: StackParts;
  running: ServiceProcess[];
  /** The stack's SNS/SQS clients and its topic, queues and dead-letter queues. */
  aws: AwsClients;
  topology: AppliedTopology;
  /** Where events are published to reach the services (`publishEvent`). */
  topic: Topic;
  /** Where a running service serves. */
  url(name: ServiceName): string;
  /** Their last log lines, for a failing test's output. */
  recentLogs(): string;
  /** The projection's `verify`, with the variables the stack runs the projection on, against its answer service (`verifyProjection`). */
  verifyProjection(): ReturnType<typeof verifyProjection>;
  stop(): Promise<void>;
}

/**
 * Runs haru's services as their own processes, as in production, on the test run's
 * PostgreSQL, fauxqs, Auth emulator and FCM endpoint, with a database, topology and
 * ports of their own: migrated, topology applied, every one ready.
 */
export async function startTestStack({
  only = serviceNames,
  parts: given,
  environment = () => ({}),
  onOutput = () => {},
}: {
  only?: readonly ServiceName[];
  /** Parts to run on (by default, new ones of the stack's own). */
  parts?: StackParts;
  /** Extra variables per service (undefined removes one). */
  environment?: (name: ServiceName) => ServiceEnvironment;
  /** Receives every line each service and its migration writes (by default they are only kept for `recentLogs`). */
  onOutput?: (name: ServiceName, line: string) => void;
} = {}): Promise<TestStack> {
  const parts = given ?? (await testStackParts());
  const aws = createAwsClients({ AWS_REGION: parts.awsRegion ?? 'us-east-1', AWS_ENDPOINT_URL: parts.awsEndpointUrl });
  const topology = await applyTopology(aws, parts.topologyPrefix ?? '');
  const output = (name: ServiceName) => ({ output: (line: string) => onOutput(name, line) });
  const env = (name: ServiceName) => ({ ...serviceEnvironment(name, parts), ...environment(name) });
  await migrateServices(only, env, output);
  const running = only.map((name) => launchService(name, env(name), output(name)));
  try {
    await Promise.all(running.map((service) => waitUntilReady(service, { timeoutMs: 60_000 })));
  } catch (error) {
    await Promise.all(running.map((service) => service.kill()));
    throw error;
  }
  const url = (name: ServiceName) => {
    const service = running.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`${name} is not running in this test stack`);
    return service.url;
  };
  return {
    parts,
    running,
    aws,
    topology,
    topic: { sns: aws.sns, topicArn: topology.topicArn },
    url,
    recentLogs: () => running.map((service) => `--- ${service.name}\n${service.recentOutput().join('\n')}`).join('\n'),
    verifyProjection() {
      return verifyProjection(env('projection'), url('answer'));
    },
    async stop() {
      await Promise.all(running.map((service) => service.stop()));
    },
  };
}
