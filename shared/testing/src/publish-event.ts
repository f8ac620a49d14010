import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Envelope } from '@haru/contracts';

/** Where events are published: the topic every service's queue subscribes to. */
export interface Topic {
  sns: SNSClient;
  topicArn: string;
}

/**
 * Publishes an event on the topic as the outbox relay does (raw, with its type as an
 * attribute). Any envelope, so that a test can also send what no contract names.
 */
export async function publishEvent(topic: Topic, event: Envelope): Promise<void> {
  await topic.sns.send(
    new PublishCommand({
      TopicArn: topic.topicArn,
      Message: JSON.stringify(event),
      MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
    }),
  );
}
