import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parkingAttributes } from '../consumer.ts';

/** The identity of the event a dead-lettered body carries, as far as it can be read. */
export interface EventIdentity {
  type?: string | undefined;
  id?: string | undefined;
  familyId?: string | undefined;
  correlationId?: string | undefined;
}

/** A message in a dead-letter queue, as an operator looks at it. */
export interface DeadLetter {
  messageId: string;
  /** Receives so far, on the source queue and in the dead-letter queue (earlier inspections included). */
  receiveCount: number;
  /** When it was first sent: to the source queue if SQS moved it, to the dead-letter queue if the consumer parked it. */
  sentAt: Date | undefined;
  firstReceivedAt: Date | undefined;
  /** Why the consumer parked it; absent when SQS moved it after its last failed receive. */
  reason: string | undefined;
  /** Undefined when the body is not a JSON object (a poison message may be anything). */
  event: EventIdentity | undefined;
  body: string;
}

/**
 * Receives up to `max` (≤ 10) messages with everything an operator needs to judge them,
 * keeping them invisible to other receivers for `holdSeconds` meanwhile. Long-polls for a
 * second, so that an empty answer means the queue has nothing visible (a short poll of
 * SQS samples only some of its servers).
 */
export async function receiveDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  { max, holdSeconds }: { max: number; holdSeconds: number },
): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      VisibilityTimeout: holdSeconds,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

export function readDeadLetter(message: Message): DeadLetter {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    sentAt: dateOf(attributes.SentTimestamp),
    firstReceivedAt: dateOf(attributes.ApproximateFirstReceiveTimestamp),
    reason: message.MessageAttributes?.[parkingAttributes.reason]?.StringValue,
    event: eventIdentity(message.Body ?? ''),
    body: message.Body ?? '',
  };
}

const dateOf = (epochMillis: string | undefined) => (epochMillis ? new Date(Number(epochMillis)) : undefined);

function eventIdentity(body: string): EventIdentity | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const field = (name: string) => {
    const value = (parsed as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { type: field('type'), id: field('id'), familyId: field('familyId'), correlationId: field('correlationId') };
}
