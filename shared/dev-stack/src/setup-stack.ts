// The one-shot setup of a stack whose parts run on their own (docker-compose's `setup`
// service): applies the messaging topology (topic, queues, dead-letter queues, filtered
// subscriptions) and brings every service's schema to its latest migration, then exits.
// Idempotent, like its two steps. Reads AWS_REGION, AWS_ENDPOINT_URL, HARU_TOPOLOGY_PREFIX
// DATABASE_URL and RETENTION_DAYS; in AWS the CDK app owns the topology instead.
import { ConfigError, env, loadConfig } from '@haru/config';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { runMigrations, serviceNames, services } from './services.ts';

const load = () => loadConfig({ ...env.messaging, ...env.database, ...env.retention });
let config: ReturnType<typeof load>;
try {
  config = load();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`setup: ${error.message}`);
  process.exit(2);
}

const clients = createAwsClients(config);
const topology = await applyTopology(clients, config.HARU_TOPOLOGY_PREFIX, { retentionDays: config.RETENTION_DAYS });
clients.sns.destroy();
clients.sqs.destroy();
console.log(`topology ${config.HARU_TOPOLOGY_PREFIX} applied: ${topology.topicArn}`);

const withDatabase = serviceNames.filter((name) => services[name].database);
for (const name of withDatabase) await runMigrations(name, {});
console.log(`migrated ${withDatabase.join(', ')}`);
