import { type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DomainEvent, parseEvent } from '@haru/contracts';
import { isHaruError } from '@haru/errors';
import type { Logger } from '@haru/observability';
import { Consumer } from 'sqs-consumer';
import { visibilityTimeoutSeconds } from './topology.ts';

export interface ConsumerOptions {
  /** Names the consumer in logs, e.g. the consuming service. */
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  logger: Logger;
  /** Messages handled at once (bounded; SQS returns at most ten per receive). */
  concurrency: number;
  /** Handles one valid event; throwing leaves it on the queue to be retried with backoff. */
  handle: (event: DomainEvent) => Promise<void>;
  /** Long-polling wait; stopping waits for the current poll, so shorter stops sooner. */
  waitTimeSeconds?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const maxMessagesPerReceive = 10;

/**
 * Message attributes the consumer adds when it parks a message in the dead-letter queue
 * itself: they describe the parking, not the event (a redrive leaves them behind).
 */
export const parkingAttributes = { reason: 'reason', sourceQueueUrl: 'sourceQueueUrl' } as const;

/** Domain errors that a later attempt may not meet again: retried like any failure. */
const retryableKinds = new Set(['unavailable', 'rate-limited']);

/** Seconds before a failed message is received again: 1, 2, 4, 8 … up to 5 minutes. */
export const retryDelaySeconds = (receiveCount: number): number => Math.min(2 ** Math.max(receiveCount - 1, 0), 300);

/**
 * Long-polls an SQS queue with sqs-consumer and hands each event to `handle`.
 * - Schema check at the edge: a message that is not a known, valid event goes to the
 *   dead-letter queue at once, with the reason, and is never retried.
 * - A handler that throws is retried after `retryDelaySeconds`; after the queue's
 *   maxReceiveCount receives SQS moves the message to the dead-letter queue. A
 *   HaruError (a domain rejection, e.g. not-found) is dead-lettered at once.
 * - A heartbeat extends the visibility timeout while a slow handler runs.
 * Delivery is at-least-once and unordered: handlers make themselves idempotent
 * (see `handleOnce`).
 */
export function startConsumer(options: ConsumerOptions): RunningConsumer {
  const { name, sqs, queueUrl, deadLetterQueueUrl, logger, concurrency, handle, waitTimeSeconds = 10 } = options;

  const deadLetter = async (message: Message, reason: string) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          [parkingAttributes.reason]: { DataType: 'String', StringValue: reason.slice(0, 1000) },
          [parkingAttributes.sourceQueueUrl]: { DataType: 'String', StringValue: queueUrl },
        },
      }),
    );
    logger.warn({ consumer: name, messageId: message.MessageId, reason }, 'invalid message dead-lettered');
  };

  const handleMessage = async (message: Message): Promise<Message> => {
    const parsed = parseEvent(parseJson(message.Body));
    if (!parsed.ok) {
      await deadLetter(message, parsed.reason);
      return message;
    }
    const { event } = parsed;
    try {
      await handle(event);
    } catch (error) {
      // A domain rejection will not change on retry: park it with the reason instead.
      if (isHaruError(error) && !retryableKinds.has(error.kind)) {
        await deadLetter(message, `${error.kind}: ${error.message}`);
        return message;
      }
      logger.warn(
        {
          err: error,
          consumer: name,
          eventId: event.id,
          type: event.type,
          correlationId: event.correlationId,
          receiveCount: receiveCountOf(message),
        },
        'event handler failed; will retry',
      );
      throw error;
    }
    logger.debug({ consumer: name, eventId: event.id, type: event.type }, 'event handled');
    return message;
  };

  const pollers = Math.ceil(concurrency / maxMessagesPerReceive);
  const batchSize = Math.ceil(concurrency / pollers);
  const consumers = Array.from({ length: pollers }, () => {
    const consumer = Consumer.create({
      queueUrl,
      sqs,
      batchSize,
      waitTimeSeconds,
      visibilityTimeout: visibilityTimeoutSeconds,
      heartbeatInterval: Math.floor(visibilityTimeoutSeconds / 3),
      messageSystemAttributeNames: ['ApproximateReceiveCount'],
      terminateVisibilityTimeout: (messages) => retryDelaySeconds(receiveCountOf(messages[0])),
      handleMessage,
      strictReturn: true,
      // Stopping waits for the current receive and its handlers: aborting a long poll
      // could leave a message the server already handed out invisible until it times out.
      pollingCompleteWaitTimeMs: (waitTimeSeconds + visibilityTimeoutSeconds) * 1000,
    });
    consumer.on('error', (error) => logger.error({ err: error, consumer: name }, 'queue polling failed'));
    consumer.on('processing_error', () => {
      // Logged above with the event's identity; the message stays for a retry.
    });
    consumer.start();
    return consumer;
  });

  return {
    async stop() {
      await Promise.all(
        consumers.map(
          (consumer) =>
            new Promise<void>((resolve) => {
              consumer.once('stopped', () => resolve());
              consumer.stop();
            }),
        ),
      );
    },
  };
}

const parseJson = (body: string | undefined): unknown => {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
};

const receiveCountOf = (message: Message | undefined): number =>
  Number(message?.Attributes?.ApproximateReceiveCount ?? 1);
