import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Envelope } from '@haru/contracts';
import type { Database } from '@haru/db';
import { serviceTokenHeader } from '@haru/http';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { publishEvent, uniqueTopologyPrefix } from '@haru/testing';
import { loadServiceConfig } from '../../src/config.ts';
import type { NotifierDatabase } from '../../src/database.ts';
import { type ServiceOptions, startService } from '../../src/service.ts';
import { migratedTestDatabase } from './migrated-test-database.ts';

export const testServiceToken = 'test-internal-api-token';

export interface TestNotifier {
  url: string;
  /** A pool of the test's own on the service's database, to look at its tables. */
  database: Database<NotifierDatabase>;
  /** Publishes an event to the topic as another service's outbox relay would. */
  publish(event: Envelope): Promise<void>;
  /** The notifier's queue and its dead-letter queue, and a client to look at them. */
  queues: { queueUrl: string; deadLetterQueueUrl: string };
  sqs: SQSClient;
  /** Calls the internal API as the gateway does. */
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The whole notifier in this process, on its own database and topology, consuming from
 * fauxqs and sending through firebase-admin to the shared local FCM endpoint.
 */
export async function startTestNotifier({
  settings = {},
  ...options
}: Pick<ServiceOptions, 'sender'> & {
  /** Settings of the test's own, over those every test notifier has. */
  settings?: Record<string, string>;
} = {}): Promise<TestNotifier> {
  const { url: databaseUrl, database } = await migratedTestDatabase();
  const prefix = uniqueTopologyPrefix();
  const clients = createAwsClients({
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
  });
  const { topicArn, queues } = await applyTopology(clients, prefix);
  const config = loadServiceConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    HARU_TOPOLOGY_PREFIX: prefix,
    INTERNAL_API_TOKEN: testServiceToken,
    OUTBOX_POLL_INTERVAL_MS: '200',
    NOTIFIER_POLL_INTERVAL_MS: '200',
    FCM_ENDPOINT_URL: process.env.HARU_TEST_FCM_URL,
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...settings,
  });
  const service = await startService(config, { waitTimeSeconds: 1, ...options });
  return {
    url: service.url,
    database,
    queues: queues.notifier,
    sqs: clients.sqs,
    publish: (event) => publishEvent({ sns: clients.sns, topicArn }, event),
    request: (path, init = {}) =>
      fetch(`${service.url}${path}`, {
        ...init,
        headers: { [serviceTokenHeader]: testServiceToken, 'content-type': 'application/json', ...init.headers },
      }),
    async stop() {
      await service.stop();
      await database.close();
      clients.sns.destroy();
      clients.sqs.destroy();
    },
  };
}
