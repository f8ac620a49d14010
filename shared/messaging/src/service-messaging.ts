import type { DomainEvent } from '@haru/contracts';
import type { Database } from '@haru/db';
import type { Logger, Metrics } from '@haru/observability';
import { createAwsClients } from './aws-clients.ts';
import { type RunningConsumer, startConsumer } from './consumer.ts';
import { locateQueues, locateTopic, reachTopology } from './locate-topology.ts';
import type { MessagingTables } from './messaging-migrations.ts';
import { type OutboxRelay, startOutboxRelay } from './outbox-relay.ts';
import type { ConsumerName } from './topology.ts';

export interface MessagingSettings {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string | undefined;
  HARU_TOPOLOGY_PREFIX: string;
  CONSUMER_CONCURRENCY: number;
  CONSUMER_WAIT_TIME_SECONDS: number;
  OUTBOX_POLL_INTERVAL_MS: number;
  OUTBOX_PUBLISH_CONCURRENCY: number;
}

export interface ServiceMessaging {
  topicArn: string;
  relay: OutboxRelay;
  /** Stops consuming first (in-flight handlers finish), then the relay. */
  stop(): Promise<void>;
}

/**
 * What every service with a database runs for messaging: the outbox relay to the
 * topic, and (for a consuming service) the consumer of its own queue.
 */
export async function startServiceMessaging(options: {
  service: ConsumerName;
  database: Database<MessagingTables>;
  settings: MessagingSettings;
  logger: Logger;
  metrics: Metrics;
  handle?: (event: DomainEvent) => Promise<void>;
  waitTimeSeconds?: number;
}): Promise<ServiceMessaging> {
  const { service, database, settings, logger, metrics, handle } = options;
  const clients = createAwsClients(settings);
  const prefix = settings.HARU_TOPOLOGY_PREFIX;
  // All found before anything starts: a topology out of reach or not applied stops the start.
  const { topicArn, queues } = await reachTopology(settings, async () => ({
    topicArn: await locateTopic(clients, prefix),
    queues: handle ? await locateQueues(clients, prefix, service) : undefined,
  }));
  const relay = startOutboxRelay({
    database,
    sns: clients.sns,
    topicArn,
    logger,
    metrics,
    pollIntervalMs: settings.OUTBOX_POLL_INTERVAL_MS,
    publishConcurrency: settings.OUTBOX_PUBLISH_CONCURRENCY,
  });
  let consumer: RunningConsumer | undefined;
  if (handle && queues) {
    consumer = startConsumer({
      name: service,
      sqs: clients.sqs,
      ...queues,
      logger,
      metrics,
      concurrency: settings.CONSUMER_CONCURRENCY,
      handle,
      waitTimeSeconds: options.waitTimeSeconds ?? settings.CONSUMER_WAIT_TIME_SECONDS,
    });
  }
  return {
    topicArn,
    relay,
    async stop() {
      await consumer?.stop();
      await relay.stop();
    },
  };
}
