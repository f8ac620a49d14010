// The one-shot setup of a stack whose parts run on their own (docker-compose's `setup`
// service): applies the messaging topology (topic, queues, dead-letter queues, filtered
// subscriptions) and brings every service's schema to its latest migration, then exits.
// Idempotent, like its two steps. Reads AWS_REGION, AWS_ENDPOINT_URL, HARU_TOPOLOGY_PREFIX
// DATABASE_URL and RETENTION_DAYS; in AWS the CDK app owns the topology instead.
import { env, loadConfig, runCommand } from '@haru/config';
import { applyTopology, createAwsClients, reachTopology } from '@haru/messaging';
import { runMigrations, serviceNames, services } from './services.ts';

await runCommand('setup', async () => {
  const config = loadConfig({ ...env.messaging, ...env.database, ...env.retention });
  const clients = createAwsClients(config);
  const topology = await reachTopology(config, () =>
    applyTopology(clients, config.HARU_TOPOLOGY_PREFIX, { retentionDays: config.RETENTION_DAYS }),
  ).finally(() => {
    clients.sns.destroy();
    clients.sqs.destroy();
  });
  console.log(`topology ${config.HARU_TOPOLOGY_PREFIX} applied: ${topology.topicArn}`);

  const withDatabase = serviceNames.filter((name) => services[name].database);
  for (const name of withDatabase) await runMigrations(name, {});
  console.log(`migrated ${withDatabase.join(', ')}`);
});
