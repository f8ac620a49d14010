import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws-clients.ts';
import { locateQueues } from '../locate-topology.ts';
import { type ConsumerName, consumerNames, queueNames } from '../topology.ts';

/**
 * The consumer a queue name denotes: its queue, its dead-letter queue, or the consuming
 * service's own name. Undefined when the topology has no such queue.
 */
export function consumerOfQueue(prefix: string, name: string): ConsumerName | undefined {
  return consumerNames.find((consumer) => {
    const names = queueNames(prefix, consumer);
    return name === consumer || name === names.queue || name === names.deadLetterQueue;
  });
}

export interface DeadLetterQueueStatus {
  consumer: ConsumerName;
  deadLetterQueue: string;
  /** The queue its messages came from and go back to when redriven. */
  sourceQueue: string;
  depth: QueueDepth;
}

export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  /** Received and not yet deleted or visible again (being handled, shown or redriven). */
  inFlight: number;
}

/** Every dead-letter queue of the topology with how many messages it holds. */
export async function listDeadLetterQueues(clients: AwsClients, prefix: string): Promise<DeadLetterQueueStatus[]> {
  return Promise.all(
    consumerNames.map(async (consumer) => {
      const { deadLetterQueueUrl } = await locateQueues(clients, prefix, consumer);
      const names = queueNames(prefix, consumer);
      return {
        consumer,
        deadLetterQueue: names.deadLetterQueue,
        sourceQueue: names.queue,
        depth: await queueDepth(clients.sqs, deadLetterQueueUrl),
      };
    }),
  );
}

/** SQS's approximate counts: they settle within a minute of a change in AWS. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
