import {
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws-clients.ts';
import { parkingAttributes } from '../consumer.ts';
import { locateQueues } from '../locate-topology.ts';
import type { ConsumerName } from '../topology.ts';
import { type DeadLetter, readDeadLetter, receiveDeadLetters } from './dead-letter.ts';
import { queueDepth } from './dead-letter-queues.ts';

/** Long enough to send and delete a batch of ten; should the tool die, they reappear soon. */
const holdSeconds = 30;

export interface RedriveResult {
  /** On the source queue again (and, unless a failure below says otherwise, gone from the dead-letter queue). */
  moved: DeadLetter[];
  /**
   * `send`: not moved, still in the dead-letter queue. `delete`: sent, but also still in the
   * dead-letter queue, so a later redrive sends it again (the consumer's inbox ignores the repeat).
   */
  failures: Array<{ letter: DeadLetter; stage: 'send' | 'delete'; error: string }>;
  /** Set when the redrive stopped early (e.g. SQS unreachable); what it moved before stays moved. */
  stoppedBy?: string;
}

/**
 * Moves a consumer's dead letters back to its queue, so that the consumer handles them
 * again with a fresh receive count: receive, send to the source queue, and only once the
 * send succeeded delete from the dead-letter queue. Nothing is ever lost; a crash between
 * send and delete can only duplicate, which the consumers' inboxes absorb.
 *
 * At most `limit` messages, and never more than the dead-letter queue held at the start:
 * a message that fails again at once (an invalid one the consumer parks anew) is not
 * moved round and round.
 *
 * Not SQS's StartMessageMoveTask: fauxqs, on which haru runs locally and is tested, does not
 * implement it, and it can neither stop after N messages nor say which messages it moved.
 */
export async function redriveDeadLetters(
  clients: AwsClients,
  prefix: string,
  consumer: ConsumerName,
  { limit = Number.POSITIVE_INFINITY }: { limit?: number } = {},
): Promise<RedriveResult> {
  const { sqs } = clients;
  const { queueUrl, deadLetterQueueUrl } = await locateQueues(clients, prefix, consumer);
  const bound = Math.min(limit, (await queueDepth(sqs, deadLetterQueueUrl)).visible);
  const result: RedriveResult = { moved: [], failures: [] };
  const handled = () => result.moved.length + result.failures.filter((failure) => failure.stage === 'send').length;
  try {
    while (handled() < bound) {
      const messages = await receiveDeadLetters(sqs, deadLetterQueueUrl, {
        max: Math.min(10, bound - handled()),
        holdSeconds,
      });
      if (messages.length === 0) break;
      for (const message of messages) {
        const letter = readDeadLetter(message);
        try {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: letter.body,
              MessageAttributes: eventAttributes(message),
            }),
          );
        } catch (error) {
          result.failures.push({ letter, stage: 'send', error: describe(error) });
          continue;
        }
        result.moved.push(letter);
        try {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        } catch (error) {
          result.failures.push({ letter, stage: 'delete', error: describe(error) });
        }
      }
    }
  } catch (error) {
    result.stoppedBy = describe(error);
  }
  return result;
}

/**
 * The message's attributes as the topic delivered them (e.g. `type`), without those the
 * consumer added when it parked the message: a later parking gives its own reason.
 */
function eventAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const parking = new Set<string>(Object.values(parkingAttributes));
  const kept = Object.entries(message.MessageAttributes ?? {})
    .filter(([name]) => !parking.has(name))
    // Only the fields SendMessage takes (a received value may carry empty list fields).
    .map(([name, { DataType, StringValue, BinaryValue }]) => [name, { DataType, StringValue, BinaryValue }] as const);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
