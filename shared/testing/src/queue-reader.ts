// Reads what reaches a consumer's queue, as the consuming service would, for assertions.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DomainEvent, EventOf, EventType } from '@haru/contracts';
import { queueDepth } from '@haru/messaging';

export interface QueueReader {
  /**
   * Receives (and deletes) everything on the queue until a receive comes back empty.
   * With `waitTimeSeconds`, that last receive long-polls, so a message still on its
   * way is caught before concluding that none came.
   */
  drain(waitTimeSeconds?: number): Promise<void>;
  /** The events of a type for a family received so far, oldest first. */
  events<Type extends EventType>(type: Type, familyId: string): EventOf<Type>[];
}

export function readQueue(sqs: SQSClient, queueUrl: string): QueueReader {
  const received: DomainEvent[] = [];
  return {
    async drain(waitTimeSeconds = 0) {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitTimeSeconds }),
        );
        if (Messages.length === 0) return;
        for (const message of Messages) received.push(JSON.parse(message.Body ?? '') as DomainEvent);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
    },
    events<Type extends EventType>(type: Type, familyId: string) {
      return received.filter((event) => event.type === type && event.familyId === familyId) as EventOf<Type>[];
    },
  };
}

/** True when a queue holds no message, neither waiting nor being handled. */
export async function isQueueIdle(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return visible === 0 && inFlight === 0;
}
