// What reached the answer service's queue: every QuestionDue with the instant SQS received it
// (SentTimestamp, set by SNS's delivery inside the publish), read after the drain so that
// reading does not compete with the system measured.

import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface Delivery {
  familyId: string;
  /** When SQS received it, epoch ms. */
  sentAt: number;
  /** The envelope's occurredAt, epoch ms (the publisher's clock). */
  occurredAt: number;
}

export async function messagesWaiting(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

/** Resolves when `expected` messages wait on the queue, or with how many after `timeoutMs`. */
export async function untilQueued(
  sqs: SQSClient,
  queueUrl: string,
  expected: number,
  timeoutMs: number,
): Promise<{ complete: boolean; count: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await messagesWaiting(sqs, queueUrl);
    if (count >= expected) return { complete: true, count };
    if (Date.now() > deadline) return { complete: false, count };
    await sleep(100);
  }
}

export async function readDeliveries(sqs: SQSClient, queueUrl: string, readers = 8): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const read = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 43_200,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as { familyId: string; occurredAt: string };
        deliveries.push({
          familyId: event.familyId,
          sentAt: Number(message.Attributes?.SentTimestamp),
          occurredAt: Date.parse(event.occurredAt),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: readers }, read));
  return deliveries;
}

export interface LatenessFigures {
  delivered: number;
  distinctFamilies: number;
  /** From the due instant to the last publish, ms. */
  drainMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

/** Lateness of each delivery (publish time − due time), over all of them. */
export function lateness(
  deliveries: readonly Delivery[],
  dueAt: number,
  at: (d: Delivery) => number = (d) => d.sentAt,
) {
  const late = deliveries.map((delivery) => at(delivery) - dueAt).sort((a, b) => a - b);
  return {
    delivered: deliveries.length,
    distinctFamilies: new Set(deliveries.map((delivery) => delivery.familyId)).size,
    drainMs: late.at(-1) ?? Number.NaN,
    p50Ms: percentile(late, 50),
    p99Ms: percentile(late, 99),
    maxMs: late.at(-1) ?? Number.NaN,
  } satisfies LatenessFigures;
}
