import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { DomainEvent } from '@haru/contracts';
import type { AwsClients } from '@haru/messaging';
import { publishEvent } from '../publish-event.ts';

export interface Redeliverer {
  /** Events published a second time so far. */
  redelivered(): number;
  /** Stops tapping and waits until every copy still waiting has been published. */
  stop(): Promise<void>;
}

/**
 * Forces redeliveries: a tap queue on the topic sees every event, and a share of them is
 * published again after a random delay, so consumers get duplicates, late and out of
 * order, besides the redeliveries that killed consumers cause on their own.
 */
export async function startRedeliverer({
  aws,
  topicArn,
  tapQueueName,
  share,
  maxDelayMs,
  random,
}: {
  aws: AwsClients;
  topicArn: string;
  tapQueueName: string;
  share: number;
  maxDelayMs: number;
  random: () => number;
}): Promise<Redeliverer> {
  const { QueueUrl: queueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: tapQueueName }));
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await aws.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );

  let stopping = false;
  let count = 0;
  const waiting = new Set<Promise<void>>();
  const republish = (event: DomainEvent) => publishEvent({ sns: aws.sns, topicArn }, event);

  const tapping = (async () => {
    while (!stopping) {
      const { Messages = [] } = await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        if (random() >= share) continue;
        const event = JSON.parse(message.Body ?? '') as DomainEvent;
        const copy = new Promise<void>((resolve) => setTimeout(resolve, random() * maxDelayMs))
          .then(() => republish(event))
          .then(() => {
            count++;
          })
          .finally(() => waiting.delete(copy));
        waiting.add(copy);
      }
      if (Messages.length > 0) {
        await aws.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
    }
  })();

  return {
    redelivered: () => count,
    async stop() {
      stopping = true;
      await tapping;
      await Promise.all(waiting);
    },
  };
}
