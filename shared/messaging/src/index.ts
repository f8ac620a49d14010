export { type AppliedTopology, applyTopology } from './apply-topology.ts';
export { type AwsClients, type AwsSettings, createAwsClients } from './aws-clients.ts';
export { type ConsumerOptions, type RunningConsumer, retryDelaySeconds, startConsumer } from './consumer.ts';
export {
  type DeadLetterQueueStatus,
  listDeadLetterQueues,
  type QueueDepth,
  queueDepth,
} from './dlq/dead-letter-queues.ts';
export { handleOnce } from './inbox.ts';
export { locateQueues, locateTopic, reachTopology } from './locate-topology.ts';
export { type MessagingTables, messagingMigrations } from './messaging-migrations.ts';
export {
  appendToOutbox,
  holdOnOutbox,
  type OutboxExecutor,
  type OutboxTransaction,
  transactionWithOutbox,
} from './outbox.ts';
export { type OutboxRelay, type OutboxRelayOptions, startOutboxRelay } from './outbox-relay.ts';
export { type MessagingSettings, type ServiceMessaging, startServiceMessaging } from './service-messaging.ts';
export * from './topology.ts';
