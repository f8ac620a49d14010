import { createDatabase, type MigrationSet, migrateToLatest } from '@haru/db';
import { type ServiceName, serviceEnvironment } from '@haru/dev-stack';
import { type AppliedTopology, type AwsClients, applyTopology, createAwsClients } from '@haru/messaging';
import type { Topic } from './publish-event.ts';
import { startTestStack } from './start-test-stack.ts';
import { testStackParts } from './test-stack-parts.ts';

export interface ServiceTestEnvironment {
  /** The variables to load the service's config from (it serves on a free port). */
  env: NodeJS.ProcessEnv;
  topology: AppliedTopology;
  clients: AwsClients;
  /** Where events are published to reach the service (`publishEvent`). */
  topic: Topic;
  internalApiToken: string;
  /** Stops the services started `alongside`. */
  stopAlongside(): Promise<void>;
}

/**
 * Everything one service needs to run in-process in a test: a fresh database migrated to
 * the service's schema, its own topic and queues, and the environment pointing at them.
 * The services it calls (`alongside`) run as their own processes on the same database,
 * topic and credential, where its environment says they are.
 */
export async function serviceTestEnvironment(
  service: ServiceName,
  {
    schema,
    migrations,
    alongside = [],
  }: { schema?: string; migrations?: MigrationSet; alongside?: readonly ServiceName[] } = {},
): Promise<ServiceTestEnvironment> {
  const parts = await testStackParts();
  const clients = createAwsClients({
    AWS_REGION: parts.awsRegion ?? 'us-east-1',
    AWS_ENDPOINT_URL: parts.awsEndpointUrl,
  });
  const topology = await applyTopology(clients, parts.topologyPrefix ?? '');
  if (schema && migrations) {
    const database = createDatabase({ url: parts.databaseUrl, schema, poolSize: 1 });
    try {
      await migrateToLatest(database.db, schema, migrations);
    } finally {
      await database.close();
    }
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const [name, value] of Object.entries(serviceEnvironment(service, parts))) {
    if (name === 'PORT') continue;
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const others = alongside.length > 0 ? await startTestStack({ only: alongside, parts }) : undefined;
  return {
    env,
    topology,
    clients,
    topic: { sns: clients.sns, topicArn: topology.topicArn },
    internalApiToken: parts.internalApiToken,
    stopAlongside: async () => others?.stop(),
  };
}
