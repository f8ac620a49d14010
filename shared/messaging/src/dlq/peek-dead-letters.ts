import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws-clients.ts';
import { locateQueues } from '../locate-topology.ts';
import type { ConsumerName } from '../topology.ts';
import { type DeadLetter, readDeadLetter, receiveDeadLetters } from './dead-letter.ts';

/** Long enough to page through what an operator reads; short, should the tool die holding them. */
const holdSeconds = 30;

/**
 * Up to `limit` messages of a consumer's dead-letter queue, left in it: each is received
 * (and so hidden while the pages are read, so that no message is read twice) and made
 * visible again at the end, also when reading fails.
 */
export async function peekDeadLetters(
  clients: AwsClients,
  prefix: string,
  consumer: ConsumerName,
  { limit }: { limit: number },
): Promise<DeadLetter[]> {
  const { deadLetterQueueUrl } = await locateQueues(clients, prefix, consumer);
  const letters = new Map<string, DeadLetter>();
  const receiptHandles: string[] = [];
  try {
    while (letters.size < limit) {
      const messages = await receiveDeadLetters(clients.sqs, deadLetterQueueUrl, {
        max: Math.min(10, limit - letters.size),
        holdSeconds,
      });
      if (messages.length === 0) break;
      for (const message of messages) {
        if (message.ReceiptHandle) receiptHandles.push(message.ReceiptHandle);
        const letter = readDeadLetter(message);
        // SQS may deliver a message twice; it is shown once.
        if (!letters.has(letter.messageId)) letters.set(letter.messageId, letter);
      }
    }
  } finally {
    await makeVisible(clients.sqs, deadLetterQueueUrl, receiptHandles);
  }
  return [...letters.values()].slice(0, limit);
}

async function makeVisible(sqs: SQSClient, queueUrl: string, receiptHandles: string[]) {
  for (let start = 0; start < receiptHandles.length; start += 10) {
    const Entries = receiptHandles
      .slice(start, start + 10)
      .map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle, VisibilityTimeout: 0 }));
    // A failed entry is a handle that has expired: its message is visible again already.
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries }));
  }
}
