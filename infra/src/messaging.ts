import {
  type ConsumerName,
  consumerNames,
  filterPolicy,
  maxReceiveCount,
  messageRetentionSecondsFor,
  queueNames,
  topicName,
  visibilityTimeoutSeconds,
} from '@haru/messaging';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ConsumerQueues {
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

/**
 * The domain-event topic, and per consuming service a queue with its dead-letter queue,
 * subscribed with raw delivery and the filter policy on `type`: all from the declaration in
 * shared/messaging/src/topology.ts, the same one `applyTopology` creates locally. Names are
 * the declared ones, because the services locate topic and queues by name.
 */
export class Messaging extends Construct {
  readonly topic: sns.Topic;
  readonly queues: Record<ConsumerName, ConsumerQueues>;

  constructor(scope: Construct, id: string, { prefix, retentionDays }: { prefix: string; retentionDays: number }) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Events', { topicName: topicName(prefix), enforceSSL: true });
    const retentionPeriod = Duration.seconds(messageRetentionSecondsFor(retentionDays));
    const queues = {} as Record<ConsumerName, ConsumerQueues>;
    for (const consumer of consumerNames) {
      const names = queueNames(prefix, consumer);
      const deadLetterQueue = new sqs.Queue(this, `${consumer}-dlq`, {
        queueName: names.deadLetterQueue,
        retentionPeriod,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const queue = new sqs.Queue(this, `${consumer}-queue`, {
        queueName: names.queue,
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds),
        retentionPeriod,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      this.topic.addSubscription(
        new subscriptions.SqsSubscription(queue, {
          rawMessageDelivery: true,
          filterPolicy: Object.fromEntries(
            Object.entries(filterPolicy(consumer)).map(([attribute, values]) => [
              attribute,
              sns.SubscriptionFilter.stringFilter({ allowlist: values }),
            ]),
          ),
        }),
      );
      queues[consumer] = { queue, deadLetterQueue };
    }
    this.queues = queues;
  }
}
