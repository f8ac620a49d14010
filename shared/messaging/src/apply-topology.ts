import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from './aws-clients.ts';
import {
  type ConsumerName,
  consumerNames,
  filterPolicy,
  maxReceiveCount,
  messageRetentionSecondsFor,
  queueNames,
  topicName,
  visibilityTimeoutSeconds,
} from './topology.ts';

export interface AppliedTopology {
  topicArn: string;
  queues: Record<ConsumerName, { queueUrl: string; deadLetterQueueUrl: string }>;
}

/**
 * Creates or updates the topic, every consumer's queue and dead-letter queue, and the
 * filtered raw-delivery subscriptions. Idempotent: running it again converges the
 * attributes to the declaration (used by `npm start`, the setup job and tests; in AWS
 * the CDK app owns these resources).
 */
export async function applyTopology(
  { sns, sqs }: AwsClients,
  prefix: string,
  {
    retentionDays = 30,
  }: { /** RETENTION_DAYS: how long queues keep messages (see topology.ts). */ retentionDays?: number } = {},
): Promise<AppliedTopology> {
  const messageRetentionSeconds = messageRetentionSecondsFor(retentionDays);
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: topicName(prefix) }));
  if (!topicArn) throw new Error('CreateTopic returned no ARN');
  const existing = await listSubscriptions(sns, topicArn);

  const queues = {} as AppliedTopology['queues'];
  for (const consumer of consumerNames) {
    const names = queueNames(prefix, consumer);
    const deadLetterQueueUrl = await createQueue(sqs, names.deadLetterQueue, {
      MessageRetentionPeriod: String(messageRetentionSeconds),
    });
    const deadLetterQueueArn = await queueArn(sqs, deadLetterQueueUrl);
    const queueUrl = await createQueue(sqs, names.queue, {
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(messageRetentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount }),
    });
    const arn = await queueArn(sqs, queueUrl);
    await allowTopicToSend(sqs, queueUrl, arn, topicArn);

    const attributes = { FilterPolicy: JSON.stringify(filterPolicy(consumer)), RawMessageDelivery: 'true' };
    const subscriptionArn = existing.get(arn);
    if (subscriptionArn) {
      for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
        await sns.send(
          new SetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn, AttributeName, AttributeValue }),
        );
      }
    } else {
      await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn, Attributes: attributes }),
      );
    }
    queues[consumer] = { queueUrl, deadLetterQueueUrl };
  }
  return { topicArn, queues };
}

async function createQueue(sqs: AwsClients['sqs'], name: string, attributes: Record<string, string>) {
  // Created bare, then given its attributes, so that a changed declaration updates
  // an existing queue instead of failing with QueueAlreadyExists.
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

async function queueArn(sqs: AwsClients['sqs'], queueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`no ARN for ${queueUrl}`);
  return arn;
}

async function allowTopicToSend(sqs: AwsClients['sqs'], queueUrl: string, arn: string, topicArn: string) {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: arn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
}

async function listSubscriptions(sns: AwsClients['sns'], topicArn: string) {
  const byEndpoint = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const subscription of page.Subscriptions ?? []) {
      if (subscription.Endpoint && subscription.SubscriptionArn) {
        byEndpoint.set(subscription.Endpoint, subscription.SubscriptionArn);
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return byEndpoint;
}
